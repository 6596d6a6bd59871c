"""Class-conditional GANs: `ConditionalGAN` (concat cGAN, ACGAN, projection discriminator) and
`AuxiliaryGAN`, the train step it shares with `InfoGAN`: G and D see a label batch, and D may
have auxiliary heads (a classifier, InfoGAN's Q) with losses of their own."""

from __future__ import annotations

import contextlib

import keras
import numpy as np
import tensorflow as tf

from ganzoo import stabilizers
from ganzoo.errors import ConfigError
from ganzoo.families.conditional.models import parse_labels
from ganzoo.gan import GAN, grad_norm
from ganzoo.losses import LossPair

CONDITIONINGS = ("concat", "acgan", "projection")


def class_cross_entropy(class_logits, labels) -> tf.Tensor:
    """E[-log softmax(logits)_y]: the mean cross-entropy of int labels [B] under logits [B, K]."""
    labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=tf.cast(class_logits, tf.float32)
    )
    return tf.reduce_mean(ce)


def acgan_class_losses(real_class_logits, fake_class_logits, real_labels, fake_labels) -> LossPair:
    """ACGAN's class term (Odena et al. 2017) as losses to minimise.

    The paper's L_C = E[log P(C=c | x_real)] + E[log P(C=c | x_fake)] is maximised by both D
    and G; with CE(q, c) = -log softmax(q)_c:

    d_loss = E[CE(q(x), c)] + E[CE(q(G(z, c')), c')]      (D's classifier, real and fake)
    g_loss = E[CE(q(G(z, c')), c')]                        (G makes its class recognisable)
    """
    fake = class_cross_entropy(fake_class_logits, fake_labels)
    return LossPair(class_cross_entropy(real_class_logits, real_labels) + fake, fake)


def class_accuracy(class_logits, labels) -> tf.Tensor:
    predicted = tf.argmax(class_logits, axis=-1, output_type=tf.int32)
    return tf.reduce_mean(tf.cast(tf.equal(predicted, tf.reshape(labels, [-1])), tf.float32))


class AuxiliaryGAN(GAN):
    """A GAN step with a condition and auxiliary D heads (subclass hooks, all traced once).

    - `split_batch(data)` -> (x, labels or None)
    - `generator_inputs(batch_size, labels)` -> what G takes (z; [z, labels])
    - `discriminate(x, labels)` -> (adversarial logits [B, 1], tuple of auxiliary outputs)
    - `discriminator_aux_loss(real_heads, fake_heads, labels, g_inputs)` and
      `generator_aux_loss(fake_heads, labels, g_inputs)` -> (weighted loss, {metric: value})

    The D step minimises the adversarial loss + its auxiliary loss (+ penalty, computed on the
    adversarial logits with the batch's labels bound); the G step likewise. `d_loss` and
    `g_loss` stay the adversarial terms; auxiliary metrics are named by the subclass.
    """

    def _init_aux_trackers(self, names) -> None:
        self.aux_trackers = {name: keras.metrics.Mean(name=name) for name in names}

    @property
    def metrics(self):
        return super().metrics + list(getattr(self, "aux_trackers", {}).values())

    # -- hooks (defaults: an unconditional GAN) -------------------------------------------------
    def split_batch(self, data):
        return (data[0] if isinstance(data, (tuple, list)) else data), None

    def generator_inputs(self, batch_size, labels):
        del labels
        return self.sample_latent(batch_size)

    def discriminate(self, x, labels, training=True):
        del labels
        return self.discriminator(x, training=training), ()

    def discriminator_aux_loss(self, real_heads, fake_heads, labels, g_inputs):
        return tf.constant(0.0), {}

    def generator_aux_loss(self, fake_heads, labels, g_inputs):
        return tf.constant(0.0), {}

    # -- the step -------------------------------------------------------------------------------
    def train_step(self, data):
        real, labels = self.split_batch(data)
        batch_size = tf.shape(real)[0]
        g_tape = None
        for i in range(self.d_steps):
            # With reuse_fakes, the last D step's G forward is recorded for G's update.
            g_tape = tf.GradientTape() if self.reuse_fakes and i == self.d_steps - 1 else None
            g_inputs = self.generator_inputs(batch_size, labels)
            with g_tape or contextlib.nullcontext():
                fake = self.generator(g_inputs, training=True)
            d_loss, penalty, real_logits, fake_logits, d_norm, d_metrics = self._aux_d_step(
                real, labels, g_inputs, fake
            )

        if g_tape is None:
            g_tape = tf.GradientTape()
            g_inputs = self.generator_inputs(batch_size, labels)
            with g_tape:
                fake = self.generator(g_inputs, training=True)
        with g_tape:
            g_loss, g_aux, g_metrics = self._aux_g_losses(real, fake, labels, g_inputs, real_logits)
            scaled = self.g_optimizer.scale_loss((g_loss + g_aux) * self._replica_scale())
        g_grads = self._apply_generator_update(g_tape, scaled)
        self._update_step_metrics(
            d_loss, g_loss, penalty, real_logits, fake_logits, d_norm, g_grads
        )
        for name, value in {**d_metrics, **g_metrics}.items():
            self.aux_trackers[name].update_state(value)
        return self.step_logs()

    def _aux_d_step(self, real, labels, g_inputs, fake):
        real_in, fake_in = self.discriminator_inputs(real), self.discriminator_inputs(fake)
        d_vars = self.discriminator.trainable_variables

        def both(x, lab):
            logits, heads = self.discriminate(x, lab)
            return (logits, tuple(heads))

        with tf.GradientTape() as tape:
            if self._fuse_d:
                both_labels = None if labels is None else tf.concat([labels, labels], axis=0)
                (real_logits, real_heads), (fake_logits, fake_heads) = self.discriminate_pair(
                    real_in, fake_in, lambda x: both(x, both_labels)
                )
            else:
                real_logits, real_heads = both(real_in, labels)
                fake_logits, fake_heads = both(fake_in, labels)
            d_loss = self.loss_fn(real_logits, fake_logits).d_loss
            aux, metrics = self.discriminator_aux_loss(real_heads, fake_heads, labels, g_inputs)
            scaled = self.d_optimizer.scale_loss((d_loss + aux) * self._replica_scale())
        grads = tape.gradient(scaled, d_vars)
        # A head with weight 0 (or one the penalty does not reach) has no gradient: zeros.
        grads = [tf.zeros_like(v) if g is None else g for g, v in zip(grads, d_vars, strict=True)]

        def critic(x):
            return self.discriminate(x, labels)[0]

        penalty, penalty_grads = self.penalty_gradients(real_in, fake_in, critic)
        if penalty_grads is not None:
            grads = [g + p for g, p in zip(grads, penalty_grads, strict=True)]
        self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))
        if self.clip_weights > 0:
            stabilizers.clip_weights(d_vars, self.clip_weights)
        d_norm = grad_norm(grads, self.d_optimizer)
        return d_loss, penalty, real_logits, fake_logits, d_norm, metrics

    def _aux_g_losses(self, real, fake, labels, g_inputs, real_logits):
        fake_logits, fake_heads = self.discriminate(self.discriminator_inputs(fake), labels)
        if self._g_needs_real_logits:
            real_logits, _ = self.discriminate(self.discriminator_inputs(real), labels)
        g_loss = self.loss_fn(tf.stop_gradient(real_logits), fake_logits).g_loss
        aux, metrics = self.generator_aux_loss(fake_heads, labels, g_inputs)
        return g_loss, aux, metrics


@keras.saving.register_keras_serializable(package="ganzoo")
class ConditionalGAN(AuxiliaryGAN):
    """A class-conditional GAN: `fit` on (x, int labels) batches; G(z, y) draws class y.

    `conditioning` says how D uses the labels (models: `ganzoo.families.conditional.models`):
    "concat" and "projection" Ds take [x, labels] -> logits; an "acgan" D takes x and returns
    [logits, class_logits], trained with `acgan_class_losses` times `acgan_weight` (metrics
    `d_class_loss`, `g_class_loss`, and `d_class_acc`, its accuracy on the real batch).
    Generators take [z, labels]. Fakes are drawn with the real batch's labels, so they follow
    the data's class frequencies and penalties interpolate between a real and a fake of one
    class. Everything else (losses, stabilisers, EMA, checkpoints) is `GAN`'s.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        num_classes: int,
        conditioning: str = "concat",
        acgan_weight: float = 1.0,
        **kwargs,
    ):
        if conditioning not in CONDITIONINGS:
            raise ConfigError(
                f"Received: conditioning={conditioning!r}. Expected one of "
                f"{', '.join(CONDITIONINGS)}."
            )
        if int(num_classes) < 2 or float(acgan_weight) < 0:
            raise ConfigError(
                f"Received: num_classes={num_classes}, acgan_weight={acgan_weight}. Expected "
                "num_classes >= 2 and acgan_weight >= 0."
            )
        _check_networks(generator, discriminator, conditioning)
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.num_classes = int(num_classes)
        self.conditioning = conditioning
        self.acgan_weight = float(acgan_weight)
        acgan = conditioning == "acgan"
        self._init_aux_trackers(("d_class_loss", "g_class_loss", "d_class_acc") if acgan else ())

    # -- the step's hooks ----------------------------------------------------------------------
    def split_batch(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ConfigError(
                "Received a batch without labels. Expected (x, labels) batches for a "
                "ConditionalGAN: ganzoo.build_dataset(config) yields them when "
                "model.conditioning is set (ganzoo.data.build_dataset(config, with_labels=True))."
            )
        return data[0], tf.reshape(tf.cast(data[1], tf.int32), [-1])

    def generator_inputs(self, batch_size, labels):
        return [self.sample_latent(batch_size), labels]

    def discriminate(self, x, labels, training=True):
        if self.conditioning == "acgan":
            logits, class_logits = self.discriminator(x, training=training)
            return logits, (class_logits,)
        return self.discriminator([x, labels], training=training), ()

    def discriminator_aux_loss(self, real_heads, fake_heads, labels, g_inputs):
        if self.conditioning != "acgan":
            return tf.constant(0.0), {}
        pair = acgan_class_losses(real_heads[0], fake_heads[0], labels, g_inputs[1])
        metrics = {
            "d_class_loss": pair.d_loss,
            "d_class_acc": class_accuracy(real_heads[0], labels),
        }
        return self.acgan_weight * pair.d_loss, metrics

    def generator_aux_loss(self, fake_heads, labels, g_inputs):
        if self.conditioning != "acgan":
            return tf.constant(0.0), {}
        ce = class_cross_entropy(fake_heads[0], g_inputs[1])
        return self.acgan_weight * ce, {"g_class_loss": ce}

    # -- sampling ------------------------------------------------------------------------------
    def check_labels(self, labels, num: int | None = None) -> np.ndarray:
        """`labels` as int32 [num]; ValueError saying what was received and what is expected."""
        array = np.asarray(labels)
        expected = f"int class indices in [0, {self.num_classes})" + (
            f", shape [{num}]" if num is not None else ""
        )
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"Received: labels of dtype {array.dtype}. Expected {expected}.")
        if array.ndim != 1 or (num is not None and len(array) != num):
            raise ValueError(f"Received: labels of shape {array.shape}. Expected {expected}.")
        bad = array[(array < 0) | (array >= self.num_classes)]
        if bad.size:
            raise ValueError(
                f"Received: labels {sorted(set(bad.tolist()))[:10]} out of range. Expected {expected}."
            )
        return array.astype(np.int32)

    def latent_for_seed(self, num: int, seed: int = 0, labels=None) -> list:
        """The sampling generator's inputs [z, labels]: z as `GAN.latent_for_seed`, labels
        i mod num_classes (balanced) unless given."""
        labels = np.arange(num) % self.num_classes if labels is None else labels
        return [super().latent_for_seed(num, seed), self.check_labels(labels, num)]

    def generate(self, num: int, seed: int = 0, batch_size: int = 256, labels=None) -> np.ndarray:
        """`num` samples of classes `labels` ([num] ints; default i mod num_classes)."""
        z, labels = self.latent_for_seed(num, seed, labels)
        return self._generate(z, labels, batch_size)

    def class_grid(self, labels, cols: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(samples [len(labels) * cols, ...], their labels): row r has `cols` samples of class
        labels[r]; column j uses one z in every row (same z, different classes)."""
        labels = self.check_labels(labels)
        z = np.tile(GAN.latent_for_seed(self, cols, seed), (len(labels), 1))
        labels = np.repeat(labels, cols).astype(np.int32)
        return self._generate(z, labels, 256), labels

    def _generate(self, z, labels, batch_size):
        out = [
            keras.ops.convert_to_numpy(
                self.sampling_generator(
                    [z[i : i + batch_size], labels[i : i + batch_size]], training=False
                )
            )
            for i in range(0, len(z), batch_size)
        ]
        return np.concatenate(out, axis=0)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes,
            conditioning=self.conditioning,
            acgan_weight=self.acgan_weight,
        )
        return config


def _check_networks(generator, discriminator, conditioning) -> None:
    problems = []
    if len(generator.inputs) != 2:
        problems.append(f"a generator with {len(generator.inputs)} inputs (expected [z, labels])")
    d_in, d_out = len(discriminator.inputs), len(discriminator.outputs)
    if conditioning == "acgan" and (d_in, d_out) != (1, 2):
        problems.append(
            f"a discriminator with {d_in} inputs and {d_out} outputs (expected x -> "
            "[logits, class_logits])"
        )
    if conditioning != "acgan" and (d_in, d_out) != (2, 1):
        problems.append(
            f"a discriminator with {d_in} inputs and {d_out} outputs (expected [x, labels] -> "
            "logits)"
        )
    if problems:
        raise ConfigError(
            f"Received: {' and '.join(problems)} for conditioning={conditioning!r}. Build them "
            "with ganzoo.families.conditional.models.build_conditional_models."
        )


def check_dataset_labels(dataset: tf.data.Dataset, num_classes: int) -> tf.data.Dataset:
    """`dataset` of (x, labels) batches, failing with a clear message on a label outside
    [0, num_classes) (a one-hot or embedding lookup would otherwise take it silently)."""
    message = (
        f"Received a data label outside [0, {num_classes}). Expected labels in [0, "
        f"{num_classes}): set model.num_classes to the data's number of classes."
    )

    def check(x, labels):
        with tf.control_dependencies(
            [
                tf.debugging.assert_non_negative(labels, message=message),
                tf.debugging.assert_less(
                    labels, tf.cast(num_classes, labels.dtype), message=message
                ),
            ]
        ):
            return x, tf.identity(labels)

    return dataset.map(check)


def conditional_samples(gan: ConditionalGAN, config, num: int, seed: int):
    """(samples, labels) for `--mode=sample` from `sample.labels` ('' / 'all' / '0,3'): images
    as `class_grid` rows of `sample.cols`; 2-D points, `num` of them cycling over the labels."""
    labels = parse_labels(config.sample.labels, gan.num_classes)
    if len(gan.generator.output_shape) == 4:
        return gan.class_grid(labels, config.sample.cols, seed)
    labels = np.resize(np.asarray(labels, np.int32), num)
    return gan.generate(num, seed=seed, labels=labels), labels
