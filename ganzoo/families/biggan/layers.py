"""Layers of the BigGAN generator: the hierarchical latent split and batch norm conditioned on
a vector (shared class embedding + latent chunk) through spectrally normalised linear maps."""

from __future__ import annotations

import keras
from keras import layers, ops

from ganzoo.models.layers import SpectralNorm


@keras.saving.register_keras_serializable(package="ganzoo")
class LatentChunks(layers.Layer):
    """z [B, sum(sizes)] -> [z_0 [B, sizes[0]], z_1, ...]: BigGAN's hierarchical latent, one
    chunk for the first linear layer and one per generator block."""

    def __init__(self, sizes, **kwargs):
        super().__init__(**kwargs)
        self.sizes = [int(s) for s in sizes]
        if not self.sizes or min(self.sizes) < 1:
            raise ValueError(f"Received: sizes={sizes}. Expected positive chunk sizes.")

    def call(self, z):
        out, start = [], 0
        for size in self.sizes:
            out.append(z[:, start : start + size])
            start += size
        return out

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], size) for size in self.sizes]

    def get_config(self):
        return {**super().get_config(), "sizes": list(self.sizes)}


@keras.saving.register_keras_serializable(package="ganzoo")
class VectorConditionalBatchNorm(layers.Layer):
    """[x, c] -> BN(x) * (1 + gain(c)) + bias(c) (BigGAN's conditional BN).

    BN has no affine transform of its own; gain and bias are bias-free linear maps of the
    condition vector c [B, D] (the shared class embedding, concatenated with the block's latent
    chunk in a hierarchical G) to C channels, spectrally normalised when `spectral_norm`.
    `synchronized` batch statistics are averaged over all replicas under tf.distribute
    (BigGAN's cross-replica BN); on one device it is plain BN.
    """

    def __init__(
        self,
        spectral_norm: bool = True,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        synchronized: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.spectral_norm = bool(spectral_norm)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.synchronized = bool(synchronized)
        self.norm = layers.BatchNormalization(
            momentum=self.momentum,
            epsilon=self.epsilon,
            center=False,
            scale=False,
            synchronized=self.synchronized,
            dtype=self.dtype_policy,
            name="bn",
        )

    def _linear(self, units: int, name: str):
        dense = layers.Dense(
            units,
            use_bias=False,
            kernel_initializer="orthogonal",
            dtype=self.dtype_policy,
            name=name,
        )
        if self.spectral_norm:
            return SpectralNorm(dense, dtype=self.dtype_policy, name=f"{name}_sn")
        return dense

    def build(self, input_shape):
        x_shape, c_shape = (tuple(s) for s in input_shape)
        if x_shape[-1] is None or c_shape[-1] is None:
            raise ValueError(
                f"Received: input shapes {x_shape} and {c_shape}. Expected known channel and "
                "condition sizes."
            )
        self.norm.build(x_shape)
        channels = x_shape[-1]
        self.gain = self._linear(channels, "gain")
        self.bias = self._linear(channels, "bias")
        self.gain.build(c_shape)
        self.bias.build(c_shape)
        self.built = True

    def call(self, inputs, training=None):
        x, condition = inputs
        h = self.norm(x, training=training)
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gain = ops.reshape(self.gain(condition, training=training), shape)
        bias = ops.reshape(self.bias(condition, training=training), shape)
        return h * (1.0 + ops.cast(gain, h.dtype)) + ops.cast(bias, h.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {
            **super().get_config(),
            "spectral_norm": self.spectral_norm,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "synchronized": self.synchronized,
        }
