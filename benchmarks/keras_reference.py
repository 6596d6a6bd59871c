"""A keras-io-style GAN (the `GAN` class of keras-io's "DCGAN to generate face images"), the
reference ganzoo's train_step is timed against. Same structure: one tape for D on the
concatenated fake + real batch with noisy labels, then one tape for G with "misleading" labels.

Two deliberate differences, both for a like-for-like comparison with ganzoo: the networks are
ganzoo's (logits out, so the loss is `from_logits=True`), and they are called with
`training=True` (keras-io's call without it runs batch norm in inference mode under Keras 3).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


class KerasIOGAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim, seed=1337):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(seed)

    def compile(self, d_optimizer, g_optimizer, loss_fn, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")
        # Built before the first step, as ganzoo does, so tracing creates no variables.
        self.d_optimizer.build(self.discriminator.trainable_weights)
        self.g_optimizer.build(self.generator.trainable_weights)

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric]

    def train_step(self, real_images):
        batch_size = ops.shape(real_images)[0]
        random_latent_vectors = keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator
        )
        generated_images = self.generator(random_latent_vectors, training=True)
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        # Add random noise to the labels - important trick! (keras-io)
        labels += 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)

        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images, training=True)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(
            zip(grads, self.discriminator.trainable_weights, strict=True)
        )

        random_latent_vectors = keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator
        )
        misleading_labels = ops.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            fake = self.generator(random_latent_vectors, training=True)
            predictions = self.discriminator(fake, training=True)
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights, strict=True))

        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


class KerasIOSNGAN(KerasIOGAN):
    """The same keras-io structure (G outside D's tape, one tape per update, Mean trackers)
    with SNGAN's update (Miyato et al. 2018, pfnet-research/sngan_projection's updater):
    `d_steps` discriminator updates, each on fresh fakes and the step's real batch, with the
    hinge loss, then one generator update.

        d_loss = mean(relu(1 - D(x))) + mean(relu(1 + D(G(z)))),  g_loss = -mean(D(G(z)))

    D is called on the real and the fake batch separately, as SNGAN's code does: each call of a
    spectral-norm D runs one power iteration (concatenating would run one per update instead).
    """

    def __init__(self, discriminator, generator, latent_dim, d_steps: int, seed=1337):
        super().__init__(discriminator, generator, latent_dim, seed)
        self.d_steps = int(d_steps)

    def train_step(self, real_images):
        batch_size = ops.shape(real_images)[0]
        d_vars = self.discriminator.trainable_weights
        for _ in range(self.d_steps):
            z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            generated_images = self.generator(z, training=True)
            with tf.GradientTape() as tape:
                real_logits = self.discriminator(real_images, training=True)
                fake_logits = self.discriminator(generated_images, training=True)
                d_loss = ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(
                    ops.relu(1.0 + fake_logits)
                )
            grads = tape.gradient(d_loss, d_vars)
            self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))

        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            g_loss = -ops.mean(self.discriminator(fake, training=True))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights, strict=True))

        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


def build(
    generator, discriminator, latent_dim, optimizer, jit_compile: bool, step="keras_io", d_steps=1
) -> KerasIOGAN:
    """A compiled reference GAN; `optimizer` is the config's optimizer section (lr, betas);
    `step` "keras_io" (KerasIOGAN, binary cross-entropy) or "sngan" (KerasIOSNGAN, hinge,
    `d_steps` D updates per G update)."""
    if step == "keras_io":
        gan = KerasIOGAN(discriminator, generator, latent_dim)
        loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
    elif step == "sngan":
        gan, loss_fn = KerasIOSNGAN(discriminator, generator, latent_dim, d_steps), None
    else:
        raise ValueError(f"Received: step={step!r}. Expected 'keras_io' or 'sngan'.")
    gan.compile(
        d_optimizer=keras.optimizers.Adam(
            optimizer.d_lr, beta_1=optimizer.beta_1, beta_2=optimizer.beta_2
        ),
        g_optimizer=keras.optimizers.Adam(
            optimizer.g_lr, beta_1=optimizer.beta_1, beta_2=optimizer.beta_2
        ),
        loss_fn=loss_fn,
        jit_compile=jit_compile,
    )
    return gan
