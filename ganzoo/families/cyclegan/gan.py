"""CycleGAN (Zhu et al. 2017): unpaired translation A <-> B with two generators, two PatchGAN
discriminators, the LSGAN adversarial loss, cycle consistency and an optional identity loss.

`CycleGAN` is a `GAN` whose `generator` is one Keras model holding G: A -> B and F: B -> A and
whose `discriminator` holds D_A and D_B (`ganzoo.families.cyclegan.models.pair_model`), so
`RunCheckpoint`, both optimizers, the step count and `.keras` files work unchanged.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import ConfigError, TrainingError
from ganzoo.families.cyclegan import models as models_cyclegan
from ganzoo.gan import GAN, grad_norm
from ganzoo.losses import LossPair

TRANSLATION_METRICS = (
    "d_loss", "g_loss", "cycle_loss", "identity_loss", "d_a_loss", "d_b_loss",
    "d_grad_norm", "g_grad_norm", "d_real_acc", "d_fake_acc",
)  # fmt: skip


def lsgan_patch_losses(real_logits, fake_logits) -> LossPair:
    """CycleGAN's least-squares losses on patch logits (means over batch and patches):

    d_loss = 1/2 (E[(D(y) - 1)^2] + E[D(G(x))^2])      (the paper halves D's objective)
    g_loss = E[(D(G(x)) - 1)^2]
    """
    real_logits = tf.cast(real_logits, tf.float32)
    fake_logits = tf.cast(fake_logits, tf.float32)
    d_loss = 0.5 * (
        tf.reduce_mean(tf.square(real_logits - 1.0)) + tf.reduce_mean(tf.square(fake_logits))
    )
    return LossPair(d_loss, tf.reduce_mean(tf.square(fake_logits - 1.0)))


def cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b) -> tf.Tensor:
    """L_cyc = E[|F(G(a)) - a|_1] + E[|G(F(b)) - b|_1], each a mean over pixels (the paper's
    L1 norm, averaged as in its code)."""
    return tf.reduce_mean(tf.abs(cycled_a - real_a)) + tf.reduce_mean(tf.abs(cycled_b - real_b))


def identity_mapping_loss(real_a, same_a, real_b, same_b) -> tf.Tensor:
    """L_idt = E[|F(a) - a|_1] + E[|G(b) - b|_1] (`same_a` = F(a), `same_b` = G(b))."""
    return tf.reduce_mean(tf.abs(same_a - real_a)) + tf.reduce_mean(tf.abs(same_b - real_b))


def generator_objective(adversarial, cycle, identity, cycle_weight, identity_weight):
    """L_G = L_GAN(G) + L_GAN(F) + lambda L_cyc + identity_weight lambda L_idt, the paper's
    weighting (lambda = 10, identity 0.5 lambda)."""
    return adversarial + cycle_weight * cycle + identity_weight * cycle_weight * identity


@keras.saving.register_keras_serializable(package="ganzoo")
class CycleGAN(GAN):
    """Unpaired image-to-image translation; `fit` on batches (a, b) in [-1, 1].

    Each step updates both generators on L_G (`generator_objective`), then both discriminators
    on the LSGAN loss with the fakes of that step (no history pool of past fakes: the paper's
    50-image buffer is left out). Metrics: `g_loss` (adversarial terms of G and F), `cycle_loss`
    and `identity_loss` (unweighted), `d_loss` = `d_a_loss` + `d_b_loss`, gradient norms, and
    `d_real_acc` / `d_fake_acc` (share of real / fake patch logits on the right side of 0.5).

    `generate(num)` returns G(a) for the first `num` preview images of domain A
    (`set_preview`), which is what the training sample grids and health checks show.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        cycle_weight: float = 10.0,
        identity_weight: float = 0.5,
        seed: int | None = None,
        **kwargs,
    ):
        for key in ("latent_dim", "loss", "d_steps", "fused_d_pass", "reuse_fakes"):
            kwargs.pop(key, None)  # fixed for CycleGAN; accepted so GAN-style configs load
        super().__init__(
            generator,
            discriminator,
            latent_dim=1,
            loss="least_squares",
            seed=seed,
            fused_d_pass=False,
            **kwargs,
        )
        if cycle_weight < 0 or identity_weight < 0:
            raise ConfigError(
                f"Received: cycle_weight={cycle_weight}, identity_weight={identity_weight}. "
                "Expected values >= 0."
            )
        on = [
            name
            for name, value in (
                ("penalty", self.penalty_fn),
                ("diff_augment", self.augment_policy),
                ("ada_target", self.ada_target),
                ("ema_decay", self.ema_decay),
                ("instance_noise_std", self.instance_noise_std),
                ("clip_weights", self.clip_weights),
                ("label_smoothing", self.label_smoothing),
            )
            if value
        ]
        if on:
            raise ConfigError(
                f"Received: stabilizers {', '.join(on)} for a CycleGAN. Expected none: its step "
                "does not apply them."
            )
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.g_ab = generator.get_layer(models_cyclegan.G_AB)
        self.g_ba = generator.get_layer(models_cyclegan.G_BA)
        self.d_a = discriminator.get_layer(models_cyclegan.D_A)
        self.d_b = discriminator.get_layer(models_cyclegan.D_B)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in TRANSLATION_METRICS}
        self.preview = None
        # () -> (images_a, images_b): where `generate` gets its preview images when none are set.
        self.preview_loader = None

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def translate(self, images, direction: str = "a2b", batch_size: int = 256) -> np.ndarray:
        """G(images) ("a2b") or F(images) ("b2a"), images in [-1, 1], as numpy."""
        if direction not in ("a2b", "b2a"):
            raise ConfigError(f"Received: direction={direction!r}. Expected 'a2b' or 'b2a'.")
        net = self.g_ab if direction == "a2b" else self.g_ba
        images = np.asarray(images, np.float32)
        expected = tuple(net.input_shape[1:])
        if images.ndim != 4 or images.shape[1:] != expected:
            raise ConfigError(
                f"Received: images of shape {images.shape}. Expected [N, {', '.join(map(str, expected))}]."
            )
        out = [
            keras.ops.convert_to_numpy(net(images[i : i + batch_size], training=False))
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(out) if out else images[:0]

    def set_preview(self, images_a: np.ndarray, images_b: np.ndarray | None = None) -> None:
        """Fixed domain-A (and B) images that `generate` translates."""
        self.preview = (np.asarray(images_a, np.float32), images_b)

    def generate(self, num: int, seed: int = 0, batch_size: int = 256) -> np.ndarray:
        """G(a) for the first `num` preview images of domain A (repeated when there are fewer);
        `seed` is unused: translation is deterministic."""
        del seed
        if self.preview is None and self.preview_loader is not None:
            self.set_preview(*self.preview_loader())
        if self.preview is None or not len(self.preview[0]):
            raise TrainingError(
                "CycleGAN.generate translates preview images, and none are set. Expected "
                "gan.set_preview(images_a) first (train_lib does it from the training data)."
            )
        a = self.preview[0]
        a = np.concatenate([a] * (-(-num // len(a))))[:num]
        return self.translate(a, "a2b", batch_size)

    def train_step(self, data):
        real_a, real_b = data[0], data[1]
        with tf.GradientTape() as g_tape:
            fake_b = self.g_ab(real_a, training=True)
            fake_a = self.g_ba(real_b, training=True)
            cycled_a = self.g_ba(fake_b, training=True)
            cycled_b = self.g_ab(fake_a, training=True)
            adversarial = (
                lsgan_patch_losses(0.0, self.d_b(fake_b, training=True)).g_loss
                + lsgan_patch_losses(0.0, self.d_a(fake_a, training=True)).g_loss
            )
            cycle = cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b)
            if self.identity_weight > 0:
                identity = identity_mapping_loss(
                    real_a,
                    self.g_ba(real_a, training=True),
                    real_b,
                    self.g_ab(real_b, training=True),
                )
            else:
                identity = tf.constant(0.0)
            g_total = generator_objective(
                adversarial, cycle, identity, self.cycle_weight, self.identity_weight
            )
            scaled = self.g_optimizer.scale_loss(g_total * self._replica_scale())
        g_grads = self._apply_generator_update(g_tape, scaled)

        fake_a, fake_b = tf.stop_gradient(fake_a), tf.stop_gradient(fake_b)
        d_vars = self.discriminator.trainable_variables
        with tf.GradientTape() as d_tape:
            real_a_logits = self.d_a(real_a, training=True)
            fake_a_logits = self.d_a(fake_a, training=True)
            real_b_logits = self.d_b(real_b, training=True)
            fake_b_logits = self.d_b(fake_b, training=True)
            d_a_loss = lsgan_patch_losses(real_a_logits, fake_a_logits).d_loss
            d_b_loss = lsgan_patch_losses(real_b_logits, fake_b_logits).d_loss
            scaled = self.d_optimizer.scale_loss((d_a_loss + d_b_loss) * self._replica_scale())
        d_grads = d_tape.gradient(scaled, d_vars)
        self.d_optimizer.apply_gradients(zip(d_grads, d_vars, strict=True))

        real_logits = tf.concat(
            [tf.reshape(real_a_logits, [-1]), tf.reshape(real_b_logits, [-1])], 0
        )
        fake_logits = tf.concat(
            [tf.reshape(fake_a_logits, [-1]), tf.reshape(fake_b_logits, [-1])], 0
        )
        values = {
            "d_loss": d_a_loss + d_b_loss,
            "g_loss": adversarial,
            "cycle_loss": cycle,
            "identity_loss": identity,
            "d_a_loss": d_a_loss,
            "d_b_loss": d_b_loss,
            "d_grad_norm": grad_norm(d_grads, self.d_optimizer),
            "g_grad_norm": grad_norm(g_grads, self.g_optimizer),
            # LSGAN targets are 1 (real) and 0 (fake): the decision threshold is 0.5.
            "d_real_acc": tf.reduce_mean(tf.cast(real_logits > 0.5, tf.float32)),
            "d_fake_acc": tf.reduce_mean(tf.cast(fake_logits < 0.5, tf.float32)),
        }
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return self.step_logs()

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            cycle_weight=self.cycle_weight,
            identity_weight=self.identity_weight,
            seed=self.seed,
        )
        return config


def check_config(config) -> None:
    """CycleGAN settings that types alone don't catch (called by ganzoo.experiment.validate)."""
    cg = config.cyclegan
    if not cg.enabled:
        return
    models_cyclegan.check_shape(config.model.resolution, config.model.channels)
    if config.stabilizers.ada_target:
        raise ConfigError(
            f"Received: stabilizers.ada_target={config.stabilizers.ada_target} for a CycleGAN. "
            "Expected 0: its step does not augment D's inputs (nor apply the other stabilizers)."
        )
    if cg.direction not in ("a2b", "b2a"):
        raise ConfigError(f"Received: cyclegan.direction={cg.direction!r}. Expected a2b or b2a.")
    if min(cg.g_width, cg.d_width, cg.res_blocks, cg.eval_num) < 1:
        raise ConfigError(
            f"Received: cyclegan.g_width={cg.g_width}, d_width={cg.d_width}, "
            f"res_blocks={cg.res_blocks}, eval_num={cg.eval_num}. Expected positive integers."
        )
    if cg.cycle_weight < 0 or cg.identity_weight < 0:
        raise ConfigError(
            f"Received: cyclegan.cycle_weight={cg.cycle_weight}, identity_weight="
            f"{cg.identity_weight}. Expected values >= 0."
        )
    if bool(cg.domain_a_dir) != bool(cg.domain_b_dir):
        raise ConfigError(
            f"Received: cyclegan.domain_a_dir={cg.domain_a_dir!r}, domain_b_dir="
            f"{cg.domain_b_dir!r}. Expected both folders, or neither (then the domains are "
            "classes cyclegan.domain_a_label / domain_b_label of the dataset)."
        )
    if not cg.domain_a_dir:
        if config.data.source in ("synthetic", "folder"):
            raise ConfigError(
                f"Received: data.source={config.data.source!r} without cyclegan.domain_a_dir / "
                "domain_b_dir. Expected a labelled image dataset (tfds, idx, auto) whose classes "
                "domain_a_label and domain_b_label are the domains, or two folders."
            )
        if cg.domain_a_label == cg.domain_b_label or min(cg.domain_a_label, cg.domain_b_label) < 0:
            raise ConfigError(
                f"Received: cyclegan.domain_a_label={cg.domain_a_label}, domain_b_label="
                f"{cg.domain_b_label}. Expected two different class indices >= 0."
            )
    if config.eval.every or config.eval.at_end:
        raise ConfigError(
            "Received: eval.every / eval.at_end for a CycleGAN. Expected 0 / False: score it "
            "after training with --mode=eval (the domain classifier on translated images)."
        )


def build_cyclegan(config) -> CycleGAN:
    """The (uncompiled) CycleGAN of `config`, with preview images loaded lazily for `generate`."""
    cg, model = config.cyclegan, config.model
    generators, discriminators = models_cyclegan.build_cyclegan_models(
        model.resolution, model.channels, cg.g_width, cg.res_blocks, cg.d_width
    )
    from ganzoo.families.cyclegan import data as unpaired

    gan = CycleGAN(
        generators,
        discriminators,
        cycle_weight=cg.cycle_weight,
        identity_weight=cg.identity_weight,
        seed=config.seed,
        **config.stabilizers.to_dict(),
    )
    # Enough fixed images for the sample grid and the health checks' diversity sample.
    num = max(config.sample.num, config.health.diversity_samples)
    gan.preview_loader = lambda: unpaired.domain_arrays(config, num)
    return gan
