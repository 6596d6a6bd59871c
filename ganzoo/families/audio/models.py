"""WaveGAN (Donahue, McAuley & Puckette 2019, arXiv:1802.04208): 1-D transposed-convolution
generator and 1-D convolution discriminator with phase shuffle, for raw audio [T, 1].

G: z -> dense -> [16, 2^(L-1) d] -> ReLU -> L x (Conv1DTranspose(kernel 25, stride 4) + ReLU),
the last one to 1 channel with tanh; T = 16 * 4^L (L = 5 for the paper's 16384 samples, where
the channels are 16d, 8d, 4d, 2d, d, 1 with d = model.width = 64). D mirrors it: L x
(Conv1D(kernel 25, stride 4) + LeakyReLU(0.2), phase shuffle n = 2 after all but the last), d to
2^(L-1) d channels, flatten, dense -> 1 logit. No batch norm, as in the paper's WGAN-GP setting.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from ganzoo.errors import ConfigError
from ganzoo.models.registry import register_model

STRIDE = 4
BASE_LENGTH = 16


@keras.saving.register_keras_serializable(package="ganzoo")
class PhaseShuffle(keras.layers.Layer):
    """WaveGAN's phase shuffle: in training, shifts each example's activations [B, T, C] in time
    by its own integer s ~ U{-n, ..., n}, filling the 2n edge samples by reflection:
    y[b, t] = x_reflect[b, t - s_b]. The identity outside training (and for n = 0).

    (The authors' code draws one shift per batch; one per example perturbs more and lets a
    batch mix phases.)
    """

    def __init__(self, radius: int = 2, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if int(radius) < 0:
            raise ConfigError(f"Received: radius={radius}. Expected an integer >= 0.")
        self.radius = int(radius)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def shift(self, x, shifts):
        """x [B, T, C] shifted by the int32 `shifts` [B] (each in [-n, n]), reflect-padded."""
        n = self.radius
        padded = tf.pad(x, [[0, 0], [n, n], [0, 0]], mode="REFLECT")
        length = tf.shape(x)[1]
        # Output t reads padded[t + n - s]: a positive shift moves the signal later in time.
        index = tf.range(length)[None, :] + n - tf.cast(shifts, tf.int32)[:, None]
        return tf.gather(padded, index, axis=1, batch_dims=1)

    def call(self, x, training=False):
        if not training or self.radius == 0:
            return x
        shifts = keras.random.randint(
            (tf.shape(x)[0],), -self.radius, self.radius + 1, seed=self.seed_generator
        )
        return self.shift(x, shifts)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "radius": self.radius, "seed": self.seed}


def num_layers(length: int) -> int:
    """L with length = 16 * 4^L, or ConfigError."""
    layers = round(math.log(max(length, 1) / BASE_LENGTH, STRIDE)) if length >= 16 else -1
    if layers < 1 or BASE_LENGTH * STRIDE**layers != length:
        raise ConfigError(
            f"Received: a clip length of {length} samples. Expected 16 * 4^L for L >= 1 "
            "(1024, 4096, 16384, 65536)."
        )
    return layers


def build_generator(
    length: int = 16384,
    latent_dim: int = 100,
    width: int = 64,
    channels: int = 1,
    kernel_size: int = 25,
) -> keras.Model:
    """z [B, latent_dim] -> audio [B, length, channels] in [-1, 1] (tanh)."""
    layers = num_layers(length)
    z = keras.Input((latent_dim,), name="z")
    top = width * 2 ** (layers - 1)
    x = keras.layers.Dense(BASE_LENGTH * top, name="project")(z)
    x = keras.layers.Reshape((BASE_LENGTH, top))(x)
    x = keras.layers.ReLU()(x)
    for i in range(layers):
        last = i == layers - 1
        filters = channels if last else width * 2 ** (layers - 2 - i)
        x = keras.layers.Conv1DTranspose(
            filters, kernel_size, strides=STRIDE, padding="same", name=f"upconv{i}"
        )(x)
        x = keras.layers.Activation("tanh", name="audio")(x) if last else keras.layers.ReLU()(x)
    return keras.Model(z, x, name="wavegan_generator")


def build_discriminator(
    length: int = 16384,
    width: int = 64,
    channels: int = 1,
    kernel_size: int = 25,
    phase_shuffle: int = 2,
    seed: int | None = None,
) -> keras.Model:
    """audio [B, length, channels] -> logits [B, 1]."""
    layers = num_layers(length)
    inputs = keras.Input((length, channels), name="audio")
    x = inputs
    for i in range(layers):
        x = keras.layers.Conv1D(
            width * 2**i, kernel_size, strides=STRIDE, padding="same", name=f"conv{i}"
        )(x)
        x = keras.layers.LeakyReLU(0.2)(x)
        if phase_shuffle and i < layers - 1:
            x = PhaseShuffle(phase_shuffle, seed=None if seed is None else seed + i)(x)
    x = keras.layers.Flatten()(x)
    logits = keras.layers.Dense(1, name="logits")(x)
    return keras.Model(inputs, logits, name="wavegan_discriminator")


def check(model_config) -> None:
    if model_config.get("kernel_size", 25) < 1 or model_config.get("phase_shuffle", 2) < 0:
        raise ConfigError(
            f"Received: kernel_size={model_config.get('kernel_size')}, phase_shuffle="
            f"{model_config.get('phase_shuffle')}. Expected >= 1 and >= 0."
        )


def build(model_config, example_shape) -> tuple[keras.Model, keras.Model]:
    """(G, D) for examples [T, C]; kernel_size and phase_shuffle from the model config when it
    has them (`ganzoo.families.audio.lib.model_config` adds the audio section's), else the paper's 25, 2."""
    if len(example_shape) != 2:
        raise ConfigError(
            f"Received: examples of shape {tuple(example_shape)}. Expected audio clips [T, C] "
            "(data.source tfds_audio, wav_folder or espeak_digits)."
        )
    length, channels = example_shape
    kernel = int(model_config.get("kernel_size", 25))
    generator = build_generator(
        length, model_config.latent_dim, model_config.width, channels, kernel
    )
    discriminator = build_discriminator(
        length,
        model_config.width,
        channels,
        kernel,
        int(model_config.get("phase_shuffle", 2)),
        seed=None,
    )
    return generator, discriminator


register_model("wavegan", check, build)
