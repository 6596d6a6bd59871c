"""StyleGAN2 layers (Karras et al. 2020): equalized-lr dense, modulated conv, noise, constant."""

from __future__ import annotations

import math

import keras
from keras import layers, ops

_SQRT2 = math.sqrt(2.0)


def _lrelu(x):
    # StyleGAN's lrelu keeps the signal's second moment: leaky_relu(0.2) * sqrt(2).
    return ops.leaky_relu(x, negative_slope=0.2) * _SQRT2


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelNorm(layers.Layer):
    """x / sqrt(mean(x^2 over the last axis) + eps): StyleGAN's normalisation of z."""

    def __init__(self, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        return inputs * ops.rsqrt(
            ops.mean(ops.square(inputs), axis=-1, keepdims=True) + self.epsilon
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="ganzoo")
class EqualizedDense(layers.Layer):
    """y = act(x (lr_multiplier / sqrt(fan_in)) W + lr_multiplier b), W ~ N(0, 1/lr_multiplier^2).

    The equalized learning rate of ProGAN/StyleGAN: the He scale is applied at run time, so Adam
    moves every layer at the same relative speed; `lr_multiplier` (0.01 in the mapping network)
    slows a layer down further. `activation`: "linear" or "lrelu" (leaky ReLU 0.2 times sqrt 2).
    """

    def __init__(
        self,
        units: int,
        lr_multiplier: float = 1.0,
        bias_init: float = 0.0,
        activation: str = "linear",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if activation not in ("linear", "lrelu"):
            raise ValueError(f"Received: activation={activation!r}. Expected 'linear' or 'lrelu'.")
        self.units = int(units)
        self.lr_multiplier = float(lr_multiplier)
        self.bias_init = float(bias_init)
        self.activation = activation

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units,),
            initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier),
            name="bias",
        )
        self.scale = self.lr_multiplier / math.sqrt(fan_in)
        self.built = True

    def call(self, inputs):
        y = ops.matmul(inputs, self.kernel * self.scale) + self.bias * self.lr_multiplier
        return _lrelu(y) if self.activation == "lrelu" else y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "lr_multiplier": self.lr_multiplier,
            "bias_init": self.bias_init,
            "activation": self.activation,
        }


@keras.saving.register_keras_serializable(package="ganzoo")
class ModulatedConv2D(layers.Layer):
    """Modulated convolution with weight demodulation (StyleGAN2), called on [x, w].

    s = A(w) [B, C_in] (an equalized dense, bias 1), W' = W s_i (per sample), and with
    `demodulate` W'' = W' / sqrt(sum_{k,k,i} W'^2 + eps) for each output channel o, so that
    unit-variance inputs give unit-variance outputs. Computed without per-sample kernels:
    conv(x * s, W) * d_o, the same numbers. W ~ N(0, 1) scaled by 1/sqrt(fan_in) at run time.
    ToRGB is this layer with kernel_size=1, demodulate=False, use_bias=True.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        demodulate: bool = True,
        use_bias: bool = False,
        epsilon: float = 1e-8,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.demodulate = bool(demodulate)
        self.use_bias = bool(use_bias)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        in_channels = int(x_shape[-1])
        k = self.kernel_size
        self.affine = EqualizedDense(
            in_channels, bias_init=1.0, dtype=self.dtype_policy, name="affine"
        )
        self.affine.build(w_shape)
        self.kernel = self.add_weight(
            shape=(k, k, in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="kernel",
        )
        self.bias = (
            self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
            if self.use_bias
            else None
        )
        self.scale = 1.0 / math.sqrt(k * k * in_channels)
        self.built = True

    def styles(self, w):
        """s = A(w), [B, C_in]."""
        return self.affine(w)

    def _demodulation(self, kernel, styles):
        # d[b, o] = 1 / sqrt(sum_{k,k,i} (W[k,k,i,o] s[b,i])^2 + eps) = rsqrt(s^2 @ sum_kk W^2)
        sq = ops.sum(ops.square(kernel), axis=(0, 1))  # [C_in, C_out]
        return ops.rsqrt(ops.matmul(ops.square(styles), sq) + self.epsilon)  # [B, C_out]

    def modulated_kernel(self, w):
        """The per-sample kernels the layer applies, [B, k, k, C_in, C_out] (for tests)."""
        kernel = self.kernel * self.scale
        styles = self.styles(w)
        out = kernel[None] * styles[:, None, None, :, None]
        if self.demodulate:
            out = out * self._demodulation(kernel, styles)[:, None, None, None, :]
        return out

    def call(self, inputs):
        x, w = inputs
        kernel = self.kernel * self.scale
        styles = self.styles(w)
        y = ops.conv(x * styles[:, None, None, :], kernel, padding="same")
        if self.demodulate:
            y = y * self._demodulation(kernel, styles)[:, None, None, :]
        if self.use_bias:
            y = y + self.bias
        return y

    def compute_output_shape(self, input_shape):
        x_shape, _ = input_shape
        return tuple(x_shape[:-1]) + (self.filters,)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "demodulate": self.demodulate,
            "use_bias": self.use_bias,
            "epsilon": self.epsilon,
        }


@keras.saving.register_keras_serializable(package="ganzoo")
class NoiseInjection(layers.Layer):
    """x + strength_c * n, n [B, H, W, 1] ~ N(0, 1), one learned strength per channel (init 0).

    Training calls draw fresh noise from the layer's SeedGenerator; inference calls use a fixed
    noise map (a saved non-trainable weight, StyleGAN2's noise_mode="const"), so a generator's
    samples are a deterministic function of z.
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="noise_seed")

    def build(self, input_shape):
        if input_shape[1] is None or input_shape[2] is None:
            raise ValueError(
                f"Received: input_shape={tuple(input_shape)}. NoiseInjection needs a static H, W."
            )
        self.strength = self.add_weight(
            shape=(int(input_shape[-1]),), initializer="zeros", name="strength"
        )
        self.const_noise = self.add_weight(
            shape=(1, int(input_shape[1]), int(input_shape[2]), 1),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            trainable=False,
            name="const_noise",
        )
        self.built = True

    def call(self, inputs, training=None):
        if training:
            shape = (ops.shape(inputs)[0], inputs.shape[1], inputs.shape[2], 1)
            noise = keras.random.normal(shape, dtype=inputs.dtype, seed=self.seed_generator)
        else:
            noise = ops.cast(self.const_noise, inputs.dtype)
        return inputs + noise * ops.cast(self.strength, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="ganzoo")
class StyledConv(layers.Layer):
    """[x, w] -> lrelu(ModulatedConv2D([x, w]) + noise + bias): one StyleGAN2 synthesis layer."""

    def __init__(self, filters: int, kernel_size: int = 3, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.seed = seed
        self.conv = ModulatedConv2D(
            self.filters, self.kernel_size, demodulate=True, dtype=self.dtype_policy, name="conv"
        )
        self.noise = NoiseInjection(seed=seed, dtype=self.dtype_policy, name="noise")

    def build(self, input_shape):
        x_shape, _ = input_shape
        self.conv.build(input_shape)
        self.noise.build(tuple(x_shape[:-1]) + (self.filters,))
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
        self.built = True

    def call(self, inputs, training=None):
        y = self.noise(self.conv(inputs), training=training)
        return _lrelu(y + self.bias)

    def compute_output_shape(self, input_shape):
        x_shape, _ = input_shape
        return tuple(x_shape[:-1]) + (self.filters,)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="ganzoo")
class ConstantInput(layers.Layer):
    """w [B, ...] -> the learned constant [B, size, size, channels] (StyleGAN's synthesis input)."""

    def __init__(self, channels: int, size: int = 4, **kwargs):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.size = int(size)

    def build(self, input_shape):
        self.const = self.add_weight(
            shape=(1, self.size, self.size, self.channels),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="const",
        )
        self.built = True

    def call(self, inputs):
        batch = ops.shape(inputs)[0]
        return ops.tile(ops.cast(self.const, self.compute_dtype), (batch, 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "size": self.size}
