"""TensorFlow's DCGAN tutorial recipe on Fashion-MNIST, the baseline of the time-to-quality
benchmark (benchmarks/time_to_quality.py).

From the tutorial (tensorflow.org/tutorials/generative/dcgan): the networks of
`make_generator_model` and `make_discriminator_model` (D outputs logits), Adam(1e-4) for both,
`BinaryCrossentropy(from_logits=True)`, noise dimension 100, batch 256, 50 epochs. Its
`model.summary()` gives G 2,330,944 parameters (2,305,472 trainable) and D 212,865.

From keras-io (the issue asks for "keras-io's `train_step`"): the update, `KerasIOGAN` of
benchmarks/keras_reference.py, the `GAN` class of keras-io's "DCGAN to generate face images"
run under `fit` (one tape for D on the concatenated fake + real batch with noisy labels, one
tape for G with fresh noise), with the networks called with `training=True` as the tutorial's
own `train_step` calls them. Compiled without XLA, as the tutorial's `@tf.function`.

The data is ganzoo's pipeline (`ganzoo.train_lib.build_dataset`, images in [-1, 1] as the
tutorial's `(x - 127.5) / 127.5`, full batches; the tutorial keeps a last partial one).
"""

from __future__ import annotations

import keras
from keras import layers

from benchmarks.keras_reference import KerasIOGAN

NOISE_DIM = 100
BATCH_SIZE = 256
LEARNING_RATE = 1e-4
EPOCHS = 50
TRAIN_EXAMPLES = 60_000
# 50 epochs of ceil(60,000 / 256) = 235 updates, the tutorial's update count.
STEPS = EPOCHS * -(-TRAIN_EXAMPLES // BATCH_SIZE)

# Overrides of fashion_mnist_dcgan's config that give ganzoo's pipeline the tutorial's batch
# and say how long the tutorial trains; its networks, optimizers and update come from `build`.
CONFIG_OVERRIDES = {
    "name": "tf_tutorial",
    "train.batch_size": BATCH_SIZE,
    "train.steps": STEPS,
    "model.latent_dim": NOISE_DIM,
}


def generator(noise_dim: int = NOISE_DIM) -> keras.Sequential:
    """The tutorial's `make_generator_model`: z -> 28x28x1 in [-1, 1]."""
    return keras.Sequential(
        [
            keras.Input((noise_dim,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(
                1, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh"
            ),
        ],
        name="generator",
    )


def discriminator() -> keras.Sequential:
    """The tutorial's `make_discriminator_model`: 28x28x1 -> one logit."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(64, (5, 5), strides=(2, 2), padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, (5, 5), strides=(2, 2), padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="discriminator",
    )


class TutorialGAN(KerasIOGAN):
    """KerasIOGAN with what ganzoo's evaluator reads of a GAN: `sampling_generator` (no EMA
    copy here: the generator itself) and `latent_dim`."""

    @property
    def sampling_generator(self) -> keras.Model:
        return self.generator


def build(seed: int = 0) -> TutorialGAN:
    """The tutorial's networks and optimizers under keras-io's update, compiled, seeded."""
    keras.utils.set_random_seed(seed)
    gan = TutorialGAN(discriminator(), generator(), NOISE_DIM, seed=seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(LEARNING_RATE),
        g_optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        jit_compile=False,
    )
    return gan
