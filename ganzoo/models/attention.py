"""Self-attention over feature-map positions (SAGAN, Zhang et al. 2019), for G and D."""

from __future__ import annotations

import keras
from keras import layers, ops

from ganzoo.models.layers import SpectralNorm


@keras.saving.register_keras_serializable(package="ganzoo")
class SelfAttention(layers.Layer):
    """y = x + gamma * o(softmax(f(x) g(x)^T) h(x)), over the H*W positions of x [B, H, W, C].

    f (query) and g (key) are 1x1 convolutions to C/8 channels, h (value) one to C/2 and o one
    back to C; the softmax runs over the key positions, so each position's attention weights
    sum to 1. `gamma` is a learned scalar initialised to 0: at initialisation the layer is the
    identity and the network learns how much non-local evidence to mix in. `spectral_norm`
    wraps the four convolutions in `SpectralNorm`, as SAGAN does in both networks.
    """

    def __init__(self, spectral_norm: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = bool(spectral_norm)

    def _conv(self, filters: int, name: str):
        conv = layers.Conv2D(
            filters,
            1,
            kernel_initializer="glorot_uniform",
            dtype=self.dtype_policy,
            name=name,
        )
        return (
            SpectralNorm(conv, dtype=self.dtype_policy, name=f"{name}_sn")
            if self.spectral_norm
            else conv
        )

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                f"Received: input_shape={tuple(input_shape)}. SelfAttention expects feature "
                "maps [B, H, W, C] with a known C."
            )
        channels = int(input_shape[-1])
        self.query = self._conv(max(1, channels // 8), "query")
        self.key = self._conv(max(1, channels // 8), "key")
        self.value = self._conv(max(1, channels // 2), "value")
        self.out = self._conv(channels, "out")
        for conv in (self.query, self.key, self.value):
            conv.build(input_shape)
        self.out.build(tuple(input_shape[:-1]) + (max(1, channels // 2),))
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")
        self.built = True

    def attention_weights(self, inputs, training=None):
        """[B, N, N] with N = H*W: row i is the softmax over key positions j for query i."""
        q = self._flatten(self.query(inputs, training=training))
        k = self._flatten(self.key(inputs, training=training))
        scores = ops.matmul(q, ops.transpose(k, (0, 2, 1)))
        # float32 softmax: under mixed precision N = 1024+ logits would lose the sums to 1.
        return ops.softmax(ops.cast(scores, "float32"), axis=-1)

    @staticmethod
    def _flatten(x):
        return ops.reshape(x, (ops.shape(x)[0], -1, x.shape[-1]))

    def call(self, inputs, training=None):
        attention = self.attention_weights(inputs, training=training)
        v = self._flatten(self.value(inputs, training=training))
        mixed = ops.matmul(ops.cast(attention, v.dtype), v)  # [B, N, C/2]
        shape = ops.shape(inputs)
        mixed = ops.reshape(mixed, (shape[0], shape[1], shape[2], v.shape[-1]))
        return inputs + ops.cast(self.gamma, inputs.dtype) * self.out(mixed, training=training)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "spectral_norm": self.spectral_norm}
