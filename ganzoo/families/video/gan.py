"""`VideoGAN`: MoCoGAN's two-critic adversarial update (Tulyakov et al. 2018) on clips, and the
validation of the config's `video` section."""

from __future__ import annotations

import keras
import tensorflow as tf

from ganzoo.errors import ConfigError
from ganzoo.families.video import data as moving
from ganzoo.families.video import models as video_models
from ganzoo.gan import GAN, grad_norm


@keras.saving.register_keras_serializable(package="ganzoo")
class VideoGAN(GAN):
    """A GAN on clips [B, T, H, W, C] with a video critic D_V and a frame critic D_I.

    `discriminator` holds both (`ganzoo.families.video.models.discriminator`): D_V scores whole clips,
    D_I single frames, `frame_d_frames` of them drawn uniformly (with replacement) from each
    clip at every use. With L the configured loss (`ganzoo.losses`), both networks minimise

        d_loss = L_D(D_V(x), D_V(G(z))) + w L_D(D_I(x_t), D_I(G(z)_t'))
        g_loss = L_G(D_V(G(z))) + w L_G(D_I(G(z)_t'))

    w = `frame_d_weight`. A penalty (stabilizers.penalty) regularises each critic on its own
    inputs, both terms weighted alike. Metrics beyond GAN's: `d_video_loss`, `d_frame_loss`,
    `g_video_loss`, `g_frame_loss` (the unweighted terms); `d_real_logit` / `d_fake_logit` and
    the health accuracies are D_V's. Everything else (stabilisers, EMA, checkpoints, sampling
    with `generate`) is `GAN`'s; G maps z [B, latent_dim] to clips.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        frame_d_frames: int = 2,
        frame_d_weight: float = 1.0,
        **kwargs,
    ):
        _check_networks(generator, discriminator, latent_dim)
        if int(frame_d_frames) < 1 or float(frame_d_weight) < 0:
            raise ConfigError(
                f"Received: frame_d_frames={frame_d_frames}, frame_d_weight={frame_d_weight}. "
                "Expected at least 1 frame and a weight >= 0."
            )
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.frame_d_frames = int(frame_d_frames)
        self.frame_d_weight = float(frame_d_weight)
        self.video_discriminator = discriminator.get_layer(video_models.VIDEO_D)
        self.frame_discriminator = discriminator.get_layer(video_models.FRAME_D)
        self.video_trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("d_video_loss", "d_frame_loss", "g_video_loss", "g_frame_loss")
        }

    @property
    def metrics(self):
        return super().metrics + list(self.video_trackers.values())

    @property
    def frames(self) -> int:
        return int(self.generator.output_shape[1])

    def sample_frames(self, clips):
        """`frame_d_frames` random frames of each clip, as a batch [B * k, H, W, C]."""
        batch = tf.shape(clips)[0]
        index = keras.random.randint(
            (batch, self.frame_d_frames), 0, self.frames, seed=self.seed_generator
        )
        picked = tf.gather(clips, tf.cast(index, tf.int32), batch_dims=1)
        return tf.reshape(picked, [-1, *clips.shape[2:]])

    def _video_critic(self, x):
        return self.video_discriminator(x, training=True)

    def _frame_critic(self, x):
        return self.frame_discriminator(x, training=True)

    def _discriminator_step(self, real, fake):
        real_in, fake_in = self.discriminator_inputs(real), self.discriminator_inputs(fake)
        real_frames, fake_frames = self.sample_frames(real_in), self.sample_frames(fake_in)
        d_vars = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real_logits, fake_logits = self.discriminate_pair(
                real_in, fake_in, critic=self._video_critic
            )
            video_loss = self.loss_fn(real_logits, fake_logits).d_loss
            frame_loss = self.loss_fn(
                self._frame_critic(real_frames), self._frame_critic(fake_frames)
            ).d_loss
            d_loss = video_loss + self.frame_d_weight * frame_loss
            scaled = self.d_optimizer.scale_loss(d_loss * self._replica_scale())
        grads = tape.gradient(scaled, d_vars)
        # The frame critic has no gradient when its weight is 0: zeros keep apply_gradients whole.
        grads = [tf.zeros_like(v) if g is None else g for g, v in zip(grads, d_vars, strict=True)]
        penalty = tf.constant(0.0, tf.float32)
        for critic, r, f in (
            (self._video_critic, real_in, fake_in),
            (self._frame_critic, real_frames, fake_frames),
        ):
            term, penalty_grads = self.penalty_gradients(r, f, critic)
            if penalty_grads is not None:
                penalty += term
                grads = [g + p for g, p in zip(grads, penalty_grads, strict=True)]
        self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))
        if self.clip_weights > 0:
            from ganzoo import stabilizers

            stabilizers.clip_weights(d_vars, self.clip_weights)
        self.video_trackers["d_video_loss"].update_state(video_loss)
        self.video_trackers["d_frame_loss"].update_state(frame_loss)
        return d_loss, penalty, real_logits, fake_logits, grad_norm(grads, self.d_optimizer)

    def generator_loss(self, real, fake, real_logits=None):
        """g_loss (see the class docstring) on the generated clips `fake`. Relativistic losses
        get D_V(real) and D_I(real frames) recomputed with the D just updated."""
        fake_in = self.discriminator_inputs(fake)
        fake_frames = self.sample_frames(fake_in)
        fake_video = self.video_discriminator(fake_in, training=True)
        fake_frame = self.frame_discriminator(fake_frames, training=True)
        if self._g_needs_real_logits or real_logits is None:
            real_in = self.discriminator_inputs(real)
            real_logits = self.video_discriminator(real_in, training=True)
            real_frame = self.frame_discriminator(self.sample_frames(real_in), training=True)
        else:  # the other losses' g_loss ignores real logits
            real_frame = tf.zeros_like(fake_frame)
        video_loss = self.loss_fn(tf.stop_gradient(real_logits), fake_video).g_loss
        frame_loss = self.loss_fn(tf.stop_gradient(real_frame), fake_frame).g_loss
        self.video_trackers["g_video_loss"].update_state(video_loss)
        self.video_trackers["g_frame_loss"].update_state(frame_loss)
        return video_loss + self.frame_d_weight * frame_loss

    def get_config(self):
        config = super().get_config()
        config.update(frame_d_frames=self.frame_d_frames, frame_d_weight=self.frame_d_weight)
        return config


def _check_networks(generator, discriminator, latent_dim) -> None:
    problems = []
    if len(generator.output_shape) != 5 or generator.input_shape[-1] != int(latent_dim):
        problems.append(
            f"a generator {generator.input_shape} -> {generator.output_shape} (expected z "
            f"[B, {latent_dim}] -> clips [B, T, H, W, C])"
        )
    names = {layer.name for layer in discriminator.layers}
    if not {video_models.VIDEO_D, video_models.FRAME_D} <= names:
        problems.append(
            f"a discriminator with sub-models {sorted(names)} (expected "
            f"{video_models.VIDEO_D!r} and {video_models.FRAME_D!r})"
        )
    if problems:
        raise ConfigError(
            f"Received: {' and '.join(problems)}. Build them with "
            "ganzoo.families.video.models.build_video_models."
        )


def latent_size(model_config, video_config) -> int:
    """G's z size: the content code plus one motion-noise vector per frame."""
    return model_config.latent_dim + video_config.frames * video_config.motion_noise_dim


def build_video_gan(config, **common) -> VideoGAN:
    """The (uncompiled) VideoGAN of `config`; `common`: GAN's keyword arguments."""
    shape = moving.clip_shape(config)
    g, d = video_models.build_video_models(config.model, config.video, shape)
    return VideoGAN(
        g,
        d,
        latent_dim=latent_size(config.model, config.video),
        frame_d_frames=config.video.frame_d_frames,
        frame_d_weight=config.video.frame_d_weight,
        **common,
    )


def check_config(config) -> None:
    """ConfigError for a `video` section (or a video model config) that cannot work."""
    if not moving.is_video(config):
        return
    v, m = config.video, config.model
    if v.frames < 2 or v.objects < 1 or v.motion_dim < 1 or v.motion_noise_dim < 1:
        raise ConfigError(
            f"Received: video.frames={v.frames}, video.objects={v.objects}, video.motion_dim="
            f"{v.motion_dim}, video.motion_noise_dim={v.motion_noise_dim}. Expected frames >= 2 "
            "and the others >= 1."
        )
    if v.frame_d_frames < 1 or v.frame_d_weight < 0 or v.gif_frame_ms < 1 or v.gif_scale < 1:
        raise ConfigError(
            f"Received: video.frame_d_frames={v.frame_d_frames}, video.frame_d_weight="
            f"{v.frame_d_weight}, video.gif_frame_ms={v.gif_frame_ms}, video.gif_scale="
            f"{v.gif_scale}. Expected >= 1, >= 0, >= 1, >= 1."
        )
    size = moving.object_size(config)
    if not 0 < size <= m.resolution or not 0 <= v.min_speed <= v.max_speed:
        raise ConfigError(
            f"Received: video.object_size={v.object_size} (resolved {size}), video.min_speed="
            f"{v.min_speed}, video.max_speed={v.max_speed} at model.resolution={m.resolution}. "
            "Expected 0 < object size <= resolution and 0 <= min_speed <= max_speed."
        )
    if config.stabilizers.diff_augment:
        raise ConfigError(
            f"Received: stabilizers.diff_augment={config.stabilizers.diff_augment!r} with a video "
            "model. Expected '': DiffAugment transforms image batches, not clips."
        )
    if config.data.name == moving.MOVING_MNIST and v.frames > moving.MOVING_MNIST_FRAMES:
        raise ConfigError(
            f"Received: video.frames={v.frames} for TFDS moving_mnist. Expected at most "
            f"{moving.MOVING_MNIST_FRAMES} (its sequences' length)."
        )
