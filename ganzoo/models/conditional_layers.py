"""Layers of the conditional and InfoGAN models: one-hot labels, label concatenation,
conditional batch norm, and the InfoGAN latent-code layer. All serializable."""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops


def _check_num_classes(num_classes) -> int:
    if int(num_classes) < 1:
        raise ValueError(f"Received: num_classes={num_classes}. Expected an integer >= 1.")
    return int(num_classes)


@keras.saving.register_keras_serializable(package="ganzoo")
class OneHot(layers.Layer):
    """int labels [B] -> float one-hot [B, num_classes] (an out-of-range label gives zeros)."""

    def __init__(self, num_classes: int, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = _check_num_classes(num_classes)

    def call(self, labels):
        return ops.one_hot(ops.cast(labels, "int32"), self.num_classes, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_classes)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="ganzoo")
class LabelConcat(layers.Layer):
    """[x, labels] -> x with one_hot(labels) appended on the last axis (Mirza & Osindero 2014).

    Vectors [B, D] become [B, D + K]; images [B, H, W, C] get K constant channels,
    [B, H, W, C + K], the one-hot code repeated at every position.
    """

    def __init__(self, num_classes: int, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = _check_num_classes(num_classes)

    def call(self, inputs):
        x, labels = inputs
        code = ops.one_hot(ops.cast(labels, "int32"), self.num_classes, dtype=x.dtype)
        if len(x.shape) > 2:
            code = ops.reshape(code, (-1,) + (1,) * (len(x.shape) - 2) + (self.num_classes,))
            code = code * ops.ones_like(x[..., :1])
        return ops.concatenate([x, code], axis=-1)

    def compute_output_shape(self, input_shape):
        x_shape = tuple(input_shape[0])
        last = None if x_shape[-1] is None else x_shape[-1] + self.num_classes
        return x_shape[:-1] + (last,)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="ganzoo")
class ConditionalBatchNorm(layers.Layer):
    """Class-conditional batch norm (de Vries et al. 2017; SNGAN, BigGAN generators).

    [x, labels] -> BN(x) * (1 + gamma[y]) + beta[y]: batch norm without its own affine
    transform, then a per-class gain and bias (rows of two [num_classes, C] tables, zeros at
    initialisation, so the layer starts as plain batch norm). Works on [B, C] and [B, H, W, C].
    """

    def __init__(self, num_classes: int, momentum: float = 0.99, epsilon: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = _check_num_classes(num_classes)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.norm = layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False, name="bn"
        )

    def build(self, input_shape):
        x_shape = tuple(input_shape[0])
        self.norm.build(x_shape)
        channels = x_shape[-1]
        self.gamma = self.add_weight(
            shape=(self.num_classes, channels), initializer="zeros", name="gamma"
        )
        self.beta = self.add_weight(
            shape=(self.num_classes, channels), initializer="zeros", name="beta"
        )
        self.built = True

    def call(self, inputs, training=None):
        x, labels = inputs
        h = self.norm(x, training=training)
        labels = ops.cast(labels, "int32")
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gain = ops.reshape(ops.take(self.gamma, labels, axis=0), shape)
        bias = ops.reshape(ops.take(self.beta, labels, axis=0), shape)
        return h * (1.0 + ops.cast(gain, h.dtype)) + ops.cast(bias, h.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
        }


def split_latent(z, noise_dim: int, categorical, continuous: int):
    """InfoGAN's prior from a standard-normal vector: z [B, noise + sum(K_i) + M] ->
    (noise [B, noise], [categorical code indices c_i [B] int32], continuous codes [B, M]).

    c_i = argmax of its K_i slots (uniform over K_i, as the slots are iid N(0, 1)); the
    continuous codes u = erf(z / sqrt 2) = 2 Phi(z) - 1 are uniform on (-1, 1). So z ~ N(0, I)
    draws the paper's prior exactly, and every code is a function of z.
    """
    noise = z[:, :noise_dim]
    start, cats = noise_dim, []
    for k in categorical:
        cats.append(ops.cast(ops.argmax(z[:, start : start + k], axis=-1), "int32"))
        start += k
    cont = ops.erf(z[:, start : start + continuous] / math.sqrt(2.0))
    return noise, cats, cont


def latent_for_codes(noise, categorical_codes, continuous_codes, categorical) -> np.ndarray:
    """The inverse of `split_latent`: a z whose codes are the given ones.

    noise [B, N]; categorical_codes [B, len(categorical)] ints; continuous_codes [B, M] in
    (-1, 1) (clipped to +-0.9999). Categorical slots are 1 at the code's index, 0 elsewhere.
    """
    noise = np.asarray(noise, np.float32)
    batch = len(noise)
    parts = [noise]
    codes = np.asarray(categorical_codes, np.int64).reshape(batch, len(categorical))
    for i, k in enumerate(categorical):
        parts.append(np.eye(k, dtype=np.float32)[codes[:, i]])
    cont = np.clip(np.asarray(continuous_codes, np.float64), -0.9999, 0.9999).reshape(batch, -1)
    parts.append(math.sqrt(2.0) * tf.math.erfinv(cont).numpy().astype(np.float32))
    return np.concatenate(parts, axis=1)


@keras.saving.register_keras_serializable(package="ganzoo")
class InfoGANCodes(layers.Layer):
    """z ~ N(0, I) -> [noise | one_hot(c_1) | ... | continuous codes], same width as z.

    The codes are drawn from z by `split_latent`, so a generator starting with this layer
    takes plain Gaussian z (sampling, evaluation and export need nothing InfoGAN-specific).
    """

    def __init__(self, noise_dim: int, categorical=(), continuous: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.noise_dim = int(noise_dim)
        self.categorical = tuple(int(k) for k in categorical)
        self.continuous = int(continuous)

    @property
    def latent_dim(self) -> int:
        return self.noise_dim + sum(self.categorical) + self.continuous

    def call(self, z):
        noise, cats, cont = split_latent(z, self.noise_dim, self.categorical, self.continuous)
        hots = [
            ops.one_hot(c, k, dtype=noise.dtype)
            for c, k in zip(cats, self.categorical, strict=True)
        ]
        return ops.concatenate([noise, *hots, ops.cast(cont, noise.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "noise_dim": self.noise_dim,
            "categorical": list(self.categorical),
            "continuous": self.continuous,
        }
