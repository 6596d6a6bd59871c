"""Discriminator layers of the zoo: spectral normalisation and minibatch standard deviation."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

_EPS = 1e-12


def _l2_normalize(x):
    return x / ops.sqrt(ops.sum(ops.square(x)) + _EPS)


@keras.saving.register_keras_serializable(package="ganzoo")
class SpectralNorm(layers.Wrapper):
    """Spectral normalisation (Miyato et al. 2018) of a Dense or Conv layer's kernel.

    The wrapped layer computes with W / sigma(W), sigma the largest singular value of W viewed
    as a [fan_in, units] matrix, estimated by power iteration:

        v = normalize(u W^T),  u = normalize(v W),  sigma = v W u^T

    `u` [1, units] is a non-trainable weight, so it is checkpointed and saved; it is advanced
    `power_iterations` times on every training call (inference calls reuse it). u and v are
    constants for the gradient, sigma is not: the raw kernel stays the trainable variable.
    """

    def __init__(self, layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        if not isinstance(layer, (layers.Dense, layers.Conv1D, layers.Conv2D, layers.Conv3D)):
            raise ValueError(
                f"Received: layer={type(layer).__name__}. SpectralNorm wraps Dense and "
                "Conv1D/2D/3D layers."
            )
        if int(power_iterations) < 1:
            raise ValueError(
                f"Received: power_iterations={power_iterations}. Expected an integer >= 1."
            )
        self.power_iterations = int(power_iterations)

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        units = self.layer.kernel.shape[-1]
        self.u = self.add_weight(
            shape=(1, units),
            initializer=keras.initializers.RandomNormal(),
            trainable=False,
            name="u",
        )
        self._warm_start_u()
        self.built = True

    def _warm_start_u(self, max_iterations: int = 200, rtol: float = 1e-6):
        """Runs the power iteration on the initial kernel, so that W / sigma is right before the
        first training call too (a random u underestimates sigma, which inflates D's outputs).

        Iterates until sigma's estimate settles: a random kernel's top two singular values are
        close (ratio ~0.97 for a 256x64 Gaussian matrix), so a fixed 20 steps could leave sigma
        several percent low, depending on the draw.
        """
        try:
            w = np.asarray(self._matrix(), np.float64)
            u = np.asarray(self.u, np.float64)
        except (TypeError, ValueError, NotImplementedError):  # symbolic build: leave u random
            return
        sigma = 0.0
        for _ in range(max_iterations):
            v = u @ w.T
            v /= np.linalg.norm(v) + _EPS
            u = v @ w
            previous, sigma = sigma, float(np.linalg.norm(u))
            u /= sigma + _EPS
            if abs(sigma - previous) <= rtol * sigma:
                break
        self.u.assign(u.astype(self.u.dtype))

    def _matrix(self):
        kernel = self.layer.kernel
        return ops.reshape(kernel, (-1, kernel.shape[-1]))

    def _sigma(self, update: bool):
        w = self._matrix()
        # u is normalised before use, so a fresh (random, unnormalised) u gives a sane estimate.
        u = _l2_normalize(ops.convert_to_tensor(self.u))
        v = _l2_normalize(ops.matmul(u, ops.transpose(w)))
        if update:
            for _ in range(self.power_iterations):
                u = _l2_normalize(ops.matmul(v, w))
                v = _l2_normalize(ops.matmul(u, ops.transpose(w)))
            self.u.assign(u)
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        return ops.squeeze(ops.matmul(ops.matmul(v, w), ops.transpose(u)))

    def normalized_kernel(self, training: bool = False):
        """W / sigma(W); `training=True` first advances the power iteration."""
        kernel = self.layer.kernel
        sigma = ops.maximum(self._sigma(update=training), _EPS)
        return kernel / ops.cast(sigma, kernel.dtype)

    def call(self, inputs, training=None):
        kernel = self.normalized_kernel(training=bool(training))
        inner = self.layer
        if isinstance(inner, layers.Dense):
            outputs = ops.matmul(inputs, kernel)
            if inner.use_bias:
                outputs = outputs + inner.bias
        else:
            outputs = inner.convolution_op(inputs, kernel)
            if inner.use_bias:
                shape = (
                    (1,) * (inner.rank + 1) + (inner.filters,)
                    if inner.data_format == "channels_last"
                    else (1, inner.filters) + (1,) * inner.rank
                )
                outputs = outputs + ops.reshape(inner.bias, shape)
        if inner.activation is not None:
            outputs = inner.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}


@keras.saving.register_keras_serializable(package="ganzoo")
class MinibatchStdDev(layers.Layer):
    """Minibatch standard deviation (Karras et al. 2018, ProGAN): appends one feature map.

    The batch is split into groups of `group_size` (sample b joins group b mod B/G); for each
    group, s = mean over features/positions of sqrt(Var_group(x) + eps), the variance taken
    over the G members (biased). Every member gets s as an extra channel (last axis):
    [B, ..., C] -> [B, ..., C + 1]. B must be a multiple of G; a batch of statically known
    size smaller than G forms one group. Lets D see a batch's diversity, against mode collapse.
    """

    def __init__(self, group_size: int = 4, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        if int(group_size) < 1:
            raise ValueError(f"Received: group_size={group_size}. Expected an integer >= 1.")
        self.group_size = int(group_size)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        x = ops.convert_to_tensor(inputs)
        static_batch = x.shape[0]
        if static_batch is not None:
            group = min(self.group_size, static_batch)
            if static_batch % group:
                raise ValueError(
                    f"Received: a batch of {static_batch} for MinibatchStdDev(group_size="
                    f"{self.group_size}). Expected a multiple of the group size."
                )
        else:
            # A static group keeps XLA's shapes static (a dynamic one fails in double backprop).
            group = self.group_size
        rest = tuple(x.shape[1:])
        y = ops.reshape(ops.cast(x, "float32"), (group, -1) + rest)  # [G, M, ...]
        y = y - ops.mean(y, axis=0, keepdims=True)
        y = ops.sqrt(ops.mean(ops.square(y), axis=0) + self.epsilon)  # [M, ...]
        y = ops.mean(y, axis=tuple(range(1, len(rest) + 1)))  # [M]
        y = ops.tile(y, (group,))  # [B]: sample b = g * M + m gets group m's value
        y = ops.reshape(y, (-1,) + (1,) * len(rest))
        y = ops.cast(y, x.dtype) * ops.ones_like(x[..., :1])  # broadcast over positions
        return ops.concatenate([x, y], axis=-1)

    def compute_output_shape(self, input_shape):
        last = None if input_shape[-1] is None else input_shape[-1] + 1
        return tuple(input_shape[:-1]) + (last,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}
