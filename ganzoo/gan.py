"""`GAN`, a keras.Model whose `train_step` is the alternating adversarial update."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganzoo import losses as losses_lib
from ganzoo.errors import ConfigError


def resolve_jit_compile(jit_compile) -> bool:
    """"auto" -> XLA on GPU/TPU, off on CPU.

    On this project's AVX-512 CPU, XLA's CPU code ran the DCGAN step up to 7x slower than TF's
    default (oneDNN) kernels, while on GPU/TPU XLA wins; `benchmarks/` measures it.
    """
    if isinstance(jit_compile, str):
        low = jit_compile.lower()
        if low == "auto":
            accelerators = [
                d for d in tf.config.list_logical_devices() if d.device_type in ("GPU", "TPU")
            ]
            return bool(accelerators)
        if low in ("true", "false"):
            return low == "true"
        raise ConfigError(f"Received: jit_compile={jit_compile!r}. Expected 'auto', True or False.")
    return bool(jit_compile)


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(keras.Model):
    """An unconditional GAN: `fit` on a dataset of real examples scaled to [-1, 1].

    Each `train_step` samples z, updates the discriminator `d_steps` times on the real batch and
    freshly generated fakes, then updates the generator once. Metrics (means since the last
    reset): `d_loss`, `g_loss`, and `d_real_logit` / `d_fake_logit`, the mean raw discriminator
    outputs (logits, not probabilities: they mean something for every loss, including the
    Wasserstein and hinge critics; apply a sigmoid for D(x) under the cross-entropy losses).
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        loss: str = "non_saturating",
        d_steps: int = 1,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(d_steps) < 1:
            raise ConfigError(f"Received: d_steps={d_steps}. Expected an integer >= 1.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.loss = loss
        self.loss_fn = losses_lib.get(loss)
        self.d_steps = int(d_steps)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="gan_seed")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_logit_tracker = keras.metrics.Mean(name="d_real_logit")
        self.fake_logit_tracker = keras.metrics.Mean(name="d_fake_logit")
        # Both networks arrive built (functional models), so the GAN is too: saving and
        # checkpointing work before the first step.
        self.built = bool(generator.built and discriminator.built)

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | None = None,
        g_optimizer: keras.optimizers.Optimizer | None = None,
        jit_compile="auto",
        **kwargs,
    ):
        """Like `keras.Model.compile`, with one optimizer per network.

        `jit_compile`: "auto" (XLA on GPU/TPU, off on CPU), True or False.
        """
        if d_optimizer is None or g_optimizer is None:
            raise ConfigError(
                "GAN.compile needs both optimizers: "
                "compile(d_optimizer=keras.optimizers.Adam(...), g_optimizer=keras.optimizers.Adam(...))."
            )
        if d_optimizer is g_optimizer:
            raise ConfigError(
                "Received the same optimizer object for d_optimizer and g_optimizer. "
                "Expected two separate instances (each keeps its own moments)."
            )
        super().compile(jit_compile=resolve_jit_compile(jit_compile), **kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Built now, not at the first step, so checkpoints restore into them and the same code
        # runs under tf.distribute strategies.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return None
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "jit_compile": self.jit_compile,
        }

    def compile_from_config(self, config):
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
            jit_compile=config.get("jit_compile", "auto"),
        )

    @property
    def metrics(self):
        return [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.real_logit_tracker,
            self.fake_logit_tracker,
        ]

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator used for sampling, evaluation and export (the EMA copy when enabled)."""
        return getattr(self, "ema_generator", None) or self.generator

    def call(self, z, training=False):
        return self.sampling_generator(z, training=training)

    def sample_latent(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def _replica_scale(self):
        # Losses are per-replica batch means; gradients are summed across replicas, so scale to
        # get the mean over the global batch under tf.distribute.
        return 1.0 / tf.distribute.get_strategy().num_replicas_in_sync

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        batch_size = tf.shape(real)[0]
        scale = self._replica_scale()
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables

        for _ in range(self.d_steps):
            fake = self.generator(self.sample_latent(batch_size), training=True)
            with tf.GradientTape() as tape:
                real_logits = self.discriminator(real, training=True)
                fake_logits = self.discriminator(fake, training=True)
                d_loss = self.loss_fn(real_logits, fake_logits).d_loss
                scaled = d_loss * scale
            grads = tape.gradient(scaled, d_vars)
            self.d_optimizer.apply_gradients(zip(grads, d_vars))

        with tf.GradientTape() as tape:
            fake = self.generator(self.sample_latent(batch_size), training=True)
            g_fake_logits = self.discriminator(fake, training=True)
            g_loss = self.loss_fn(tf.stop_gradient(real_logits), g_fake_logits).g_loss
            scaled = g_loss * scale
        grads = tape.gradient(scaled, g_vars)
        self.g_optimizer.apply_gradients(zip(grads, g_vars))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_logit_tracker.update_state(tf.reduce_mean(real_logits))
        self.fake_logit_tracker.update_state(tf.reduce_mean(fake_logits))
        return {m.name: m.result() for m in self.metrics}

    def generate(self, num: int, seed: int = 0, batch_size: int = 256) -> np.ndarray:
        """`num` samples in the generator's output range ([-1, 1] for images), deterministic in seed."""
        z = self.latent_for_seed(num, seed)
        out = [
            keras.ops.convert_to_numpy(self.sampling_generator(z[i : i + batch_size], training=False))
            for i in range(0, num, batch_size)
        ]
        return np.concatenate(out, axis=0)

    def latent_for_seed(self, num: int, seed: int = 0) -> np.ndarray:
        """A fixed z batch: the same seed gives the same z in every process."""
        rng = np.random.default_rng(seed)
        return rng.standard_normal((num, self.latent_dim)).astype("float32")

    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            latent_dim=self.latent_dim,
            loss=self.loss,
            d_steps=self.d_steps,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)
