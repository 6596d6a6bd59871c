"""MoCoGAN-style video networks (Tulyakov et al. 2018): a content code and a recurrent motion
trajectory drive a 2-D frame generator; a 3-D convolutional video D and a 2-D frame D.

G: z [B, content + T * noise] -> (z_C [B, content], eps [B, T, noise]); a GRU over eps_1..eps_T
gives the motion codes z_M(t) [B, T, motion]; each frame is the DCGAN generator applied to
[z_C, z_M(t)] (all B * T frames in one call): clips [B, T, H, W, C] in [-1, 1]. The content code
is shared by every frame of a clip, the motion codes change along it.

D: one Model holding both critics (so one optimizer and one checkpoint entry cover them):
clips -> [video_logits [B, 1] (`video_discriminator`: stride-2 Conv3D + LeakyReLU, TGAN/MoCoGAN's
D_V), frame_logits [B, T, 1] (`frame_discriminator`, the DCGAN D on every frame: MoCoGAN's
D_I)]. `VideoGAN` trains D_I on randomly sampled frames by calling the sub-model directly.
"""

from __future__ import annotations

import keras
import ml_collections
from keras import layers

from ganzoo.errors import ConfigError
from ganzoo.models import dcgan
from ganzoo.models.registry import register_model


def _init() -> keras.initializers.Initializer:
    """A fresh N(0, 0.02) initialiser per layer.

    One shared unseeded instance would give every layer of the same shape the same weights,
    from a seed fixed at import; a fresh one draws from `keras.utils.set_random_seed`'s seed."""
    return keras.initializers.RandomNormal(stddev=0.02)


VIDEO_D, FRAME_D, FRAME_G = "video_discriminator", "frame_discriminator", "frame_generator"
# The video section's defaults, for building through the registry with model config alone.
DEFAULT_MOTION_DIM, DEFAULT_NOISE_DIM = 16, 8


@keras.saving.register_keras_serializable(package="ganzoo")
class SplitVideoLatent(layers.Layer):
    """z [B, content + frames * noise] -> (content [B, content], eps [B, frames, noise])."""

    def __init__(self, content_dim: int, frames: int, noise_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.content_dim, self.frames, self.noise_dim = (
            int(content_dim),
            int(frames),
            int(noise_dim),
        )

    def call(self, z):
        content = z[:, : self.content_dim]
        eps = keras.ops.reshape(z[:, self.content_dim :], (-1, self.frames, self.noise_dim))
        return content, eps

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.content_dim), (input_shape[0], self.frames, self.noise_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "content_dim": self.content_dim,
            "frames": self.frames,
            "noise_dim": self.noise_dim,
        }


@keras.saving.register_keras_serializable(package="ganzoo")
class FrameCodes(layers.Layer):
    """(content [B, c], motion [B, T, m]) -> per-frame codes [B, T, c + m]: the content code
    repeated along time beside each frame's motion code."""

    def call(self, inputs):
        content, motion = inputs
        steps = keras.ops.shape(motion)[1]
        tiled = keras.ops.repeat(keras.ops.expand_dims(content, 1), steps, axis=1)
        return keras.ops.concatenate([tiled, keras.ops.cast(motion, tiled.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        content, motion = input_shape
        return (motion[0], motion[1], content[-1] + motion[-1])


@keras.saving.register_keras_serializable(package="ganzoo")
class FoldTime(layers.Layer):
    """[B, T, ...] -> [B * T, ...]: frames become a batch for a 2-D network (one call, not T)."""

    def call(self, x):
        return keras.ops.reshape(x, (-1, *x.shape[2:]))

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] * input_shape[1]
        return (batch, *input_shape[2:])


@keras.saving.register_keras_serializable(package="ganzoo")
class UnfoldTime(layers.Layer):
    """[B * T, ...] -> [B, T, ...], the inverse of FoldTime for `frames` = T."""

    def __init__(self, frames: int, **kwargs):
        super().__init__(**kwargs)
        self.frames = int(frames)

    def call(self, x):
        return keras.ops.reshape(x, (-1, self.frames, *x.shape[1:]))

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] // self.frames
        return (batch, self.frames, *input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "frames": self.frames}


def check(model_config) -> None:
    dcgan.start_size(model_config.resolution)
    if model_config.channels != 1:
        raise ConfigError(
            f"Received: model.channels={model_config.channels}. The video models (moving digits "
            "and garments) expect 1."
        )


def generator(
    content_dim: int,
    frames: int,
    resolution: int,
    channels: int = 1,
    width: int = 64,
    motion_dim: int = DEFAULT_MOTION_DIM,
    noise_dim: int = DEFAULT_NOISE_DIM,
) -> keras.Model:
    """z [B, content_dim + frames * noise_dim] -> clips [B, frames, R, R, C] in [-1, 1]."""
    z = keras.Input((content_dim + frames * noise_dim,), name="z")
    content, eps = SplitVideoLatent(content_dim, frames, noise_dim, name="split_latent")(z)
    motion = layers.GRU(motion_dim, return_sequences=True, name="motion_gru")(eps)
    codes = FrameCodes(name="frame_codes")([content, motion])
    frame_g = dcgan.generator(content_dim + motion_dim, resolution, channels, width)
    frame_g.name = FRAME_G
    frames_out = frame_g(FoldTime(name="fold_time")(codes))
    clips = UnfoldTime(frames, name="clips", dtype="float32")(frames_out)
    return keras.Model(z, clips, name="mocogan_generator")


def video_discriminator(
    frames: int, resolution: int, channels: int = 1, width: int = 64
) -> keras.Model:
    """clips [B, T, R, R, C] -> logits [B, 1]: 4x4x4 Conv3D, stride 2 in space (and in time
    while T > 1), LeakyReLU(0.2), no batch norm (penalties stay per-sample); then linear."""
    clips = keras.Input((frames, resolution, resolution, channels), name="clips")
    x, filters, steps = clips, width, frames
    for i in range(dcgan._num_upsamplings(resolution)):
        stride_t = 2 if steps > 1 else 1
        steps = -(-steps // stride_t)
        conv = layers.Conv3D(
            filters,
            4,
            strides=(stride_t, 2, 2),
            padding="same",
            kernel_initializer=_init(),
            name=f"down3d{i}",
        )
        x = layers.LeakyReLU(0.2)(conv(x))
        filters = min(filters * 2, width * 8)
    x = layers.Flatten()(x)
    logits = layers.Dense(1, kernel_initializer=_init(), dtype="float32", name="logits")(x)
    return keras.Model(clips, logits, name=VIDEO_D)


def discriminator(frames: int, resolution: int, channels: int = 1, width: int = 64) -> keras.Model:
    """clips -> [video_logits [B, 1], frame_logits [B, T, 1]]: D_V and D_I in one Model."""
    clips = keras.Input((frames, resolution, resolution, channels), name="clips")
    video_d = video_discriminator(frames, resolution, channels, width)
    frame_d = dcgan.discriminator(resolution, channels, width)
    frame_d.name = FRAME_D
    video_logits = video_d(clips)
    frame_logits = UnfoldTime(frames, name="frame_logits")(frame_d(FoldTime()(clips)))
    return keras.Model(clips, [video_logits, frame_logits], name="mocogan_discriminator")


def build_video_models(model_config, video_config, example_shape) -> tuple:
    """(G, D) for `model.*` (content code = latent_dim, width) and `video.*` (frames, motion)."""
    check(model_config)
    frames = int(video_config.frames)
    expected = (frames, model_config.resolution, model_config.resolution, model_config.channels)
    if tuple(example_shape) != expected:
        raise ConfigError(
            f"Received: clips of shape {tuple(example_shape)}. The video models expect {expected}."
        )
    g = generator(
        model_config.latent_dim,
        frames,
        model_config.resolution,
        model_config.channels,
        model_config.width,
        motion_dim=video_config.motion_dim,
        noise_dim=video_config.motion_noise_dim,
    )
    d = discriminator(frames, model_config.resolution, model_config.channels, model_config.width)
    return g, d


def build(model_config, example_shape):
    """The registry's build: T from the clip shape [T, R, R, C], motion sizes at their defaults
    (train_lib builds with the config's `video` section instead)."""
    if len(example_shape) != 4:
        raise ConfigError(
            f"Received: examples of shape {tuple(example_shape)}. Expected clips [T, H, W, C]."
        )
    video = ml_collections.ConfigDict(
        dict(
            frames=example_shape[0],
            motion_dim=DEFAULT_MOTION_DIM,
            motion_noise_dim=DEFAULT_NOISE_DIM,
        )
    )
    return build_video_models(model_config, video, example_shape)


register_model("mocogan", check, build)
