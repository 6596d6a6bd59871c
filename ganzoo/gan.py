"""`GAN`, a keras.Model whose `train_step` is the alternating adversarial update."""

from __future__ import annotations

import contextlib
import functools

import keras
import numpy as np
import tensorflow as tf

from ganzoo import augment as augment_lib
from ganzoo import losses as losses_lib
from ganzoo import penalties as penalties_lib
from ganzoo import stabilizers
from ganzoo.errors import ConfigError
from ganzoo.training import distribute as distribute_lib


def resolve_jit_compile(jit_compile) -> bool:
    """Resolves "auto" -> XLA on GPU/TPU, off on CPU.

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


# Layers whose output for one example depends on that example alone, deterministically in
# training mode: a D made of these gives the same logits on a concatenated real + fake batch as
# on each batch alone. BatchNormalization (batch statistics), MinibatchStdDev (batch
# statistics), SpectralNorm (one power iteration per call), Dropout and noise layers (random
# draws) and any layer not listed are not.
PER_EXAMPLE_LAYERS = frozenset(
    {
        "InputLayer", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "DepthwiseConv2D",
        "SeparableConv2D", "Dense", "EinsumDense", "Embedding", "LeakyReLU", "ReLU", "ELU",
        "PReLU", "Softmax", "Activation", "Flatten", "Reshape", "Permute", "Add", "Subtract",
        "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "ZeroPadding2D",
        "Cropping2D", "UpSampling2D", "AveragePooling2D", "MaxPooling2D",
        "GlobalAveragePooling2D", "GlobalMaxPooling2D", "LayerNormalization",
        "GroupNormalization", "Identity", "CategoryEncoding",
        # ganzoo's own
        "OneHot", "LabelConcat", "GlobalSumPooling2D", "PixelNorm", "EqualizedDense",
        "ResBlock1D",
    }
)  # fmt: skip


def batch_dependent_layers(model: keras.Model) -> list[str]:
    """Names (class) of `model`'s layers, nested models included, not in PER_EXAMPLE_LAYERS."""
    out = []
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if type(layer).__name__ in ("Functional", "Sequential"):
            continue  # a container: its layers are listed themselves
        name = type(layer).__name__
        if name not in PER_EXAMPLE_LAYERS:
            out.append(f"{layer.name} ({name})")
    return out


def resolve_fused_d_pass(fused, discriminator: keras.Model) -> bool:
    """Resolves `fused_d_pass`: "auto" fuses exactly when D is per-example; True on a
    batch-dependent D is an error (the fused logits would differ from two passes); False never
    fuses."""
    if isinstance(fused, str):
        low = fused.lower()
        if low not in ("auto", "true", "false"):
            raise ConfigError(f"Received: fused_d_pass={fused!r}. Expected 'auto', True or False.")
        fused = "auto" if low == "auto" else low == "true"
    if fused is False:
        return False
    dependent = batch_dependent_layers(discriminator)
    if fused == "auto":
        return not dependent
    if dependent:
        raise ConfigError(
            f"Received: fused_d_pass=True for a discriminator with batch-dependent or "
            f"unlisted layers: {', '.join(dependent[:5])}. Expected a discriminator whose "
            "layers all act per example (one pass on real + fake would change its outputs); "
            "use fused_d_pass='auto' or False."
        )
    return True


def grad_norm(grads, optimizer) -> tf.Tensor:
    """Global L2 norm of `grads`, unscaled when `optimizer` is a LossScaleOptimizer (whose
    gradients come multiplied by its loss scale)."""
    norm = tf.linalg.global_norm(grads)
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        norm = norm / tf.cast(optimizer.dynamic_scale, norm.dtype)
    return norm


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(keras.Model):
    """An unconditional GAN: `fit` on a dataset of real examples scaled to [-1, 1].

    Each `train_step` samples z, updates the discriminator `d_steps` times on the real batch and
    freshly generated fakes, then updates the generator once. Metrics (means since the last
    reset): `d_loss` (the adversarial term), `g_loss`, and `d_real_logit` / `d_fake_logit`, the
    mean raw discriminator outputs (logits, not probabilities: they mean something for every
    loss, including the Wasserstein and hinge critics; apply a sigmoid for D(x) under the
    cross-entropy losses); with a penalty, `d_penalty`, the weighted term added to `d_loss`.
    Health metrics: `d_grad_norm` / `g_grad_norm`, the global L2 norms of each network's last
    gradient (a non-finite value anywhere in a loss or gradient shows here), and
    `d_real_acc` / `d_fake_acc`, the share of real batch examples D scores above 0 and of fakes
    below 0 (D "wins outright" when both approach 1).

    Stabilisers, all off by default (docs/stabilizers.md): `penalty` ("wgan_gp", "dragan", "r1")
    times `penalty_weight`, lazily every `penalty_interval` D steps; `clip_weights` c > 0 clips
    D's weights to [-c, c] after each D update; `diff_augment`, a DiffAugment policy applied to
    every D input; `ema_decay` > 0 keeps `ema_generator`, used for sampling and export;
    `label_smoothing` s, D's real target 1 - s (cross-entropy losses); `instance_noise_std`,
    Gaussian noise on D inputs annealed linearly to 0 over `instance_noise_steps` steps;
    `pack` m > 1, PacGAN's packing (Lin et al. 2018): D judges m examples at once, stacked
    along the last axis, so a collapsed G (m near-identical fakes) is easy to tell from m real
    examples; D must be built for the packed shape (`stabilizers.packed_shape`).
    `ada_target` t in (0, 1) turns on adaptive discriminator augmentation (Karras et al. 2020):
    each transform of `ada_policy` is applied to every D input (real and fake, D and G steps)
    with probability `ada_p`, a non-trainable variable (checkpointed) that starts at 0 and
    every `ada_interval` steps moves by +-(images seen) / (1000 `ada_kimg`) towards
    E[sign(D(x_real))] = t; metrics `ada_p` and `ada_rt` (the last interval's E[sign]).
    ADA and `diff_augment` are exclusive (ADA at p = 1 is DiffAugment).

    Performance options (docs/performance.md): `fused_d_pass` ("auto", True, False) runs D once
    on the concatenated real + fake batch instead of twice; "auto" does so exactly when every
    layer of D is per-example (`batch_independent`), the same logits and gradients up to float
    rounding. `reuse_fakes` (off by default: it changes the update) lets G's step reuse the
    last D step's fake batch instead of generating another: G's update then uses the same z as
    that D step, and G's batch-norm statistics move once per step instead of d_steps + 1 times.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        loss: str = "non_saturating",
        d_steps: int = 1,
        seed: int | None = None,
        *,
        penalty: str | None = None,
        penalty_weight: float = 10.0,
        penalty_interval: int = 1,
        clip_weights: float = 0.0,
        diff_augment: str = "",
        ema_decay: float = 0.0,
        label_smoothing: float = 0.0,
        instance_noise_std: float = 0.0,
        instance_noise_steps: int = 0,
        pack: int = 1,
        ada_target: float = 0.0,
        ada_interval: int = 4,
        ada_kimg: float = 100.0,
        ada_policy: str = "color,translation,cutout",
        fused_d_pass="auto",
        reuse_fakes: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(d_steps) < 1:
            raise ConfigError(f"Received: d_steps={d_steps}. Expected an integer >= 1.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.loss = loss
        self.label_smoothing = float(label_smoothing)
        self.loss_fn = losses_lib.get(loss, label_smoothing=self.label_smoothing)
        self._g_needs_real_logits = loss in losses_lib.G_NEEDS_REAL_LOGITS
        self.d_steps = int(d_steps)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="gan_seed")
        self._init_penalty(penalty, penalty_weight, penalty_interval)
        self.pack = stabilizers.check_pack(pack, discriminator.input_shape, generator.output_shape)
        self._init_stabilizers(
            clip_weights, diff_augment, ema_decay, instance_noise_std, instance_noise_steps
        )
        self._init_ada(ada_target, ada_interval, ada_kimg, ada_policy)
        self.fused_d_pass = fused_d_pass
        self._fuse_d = resolve_fused_d_pass(fused_d_pass, discriminator)
        self.reuse_fakes = bool(reuse_fakes)
        self._init_trackers()
        # Both networks arrive built (functional models), so the GAN is too: saving and
        # checkpointing work before the first step.
        self.built = bool(generator.built and discriminator.built)

    def _init_trackers(self):
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_logit_tracker = keras.metrics.Mean(name="d_real_logit")
        self.fake_logit_tracker = keras.metrics.Mean(name="d_fake_logit")
        self.penalty_tracker = keras.metrics.Mean(name="d_penalty") if self.penalty_fn else None
        self.health_trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("d_grad_norm", "g_grad_norm", "d_real_acc", "d_fake_acc")
        }

    def _init_penalty(self, penalty, weight, interval):
        self.penalty = None if penalty in (None, "", "none") else penalty
        self.penalty_fn = penalties_lib.get(self.penalty) if self.penalty else None
        self.penalty_weight = float(weight)
        self.penalty_interval = int(interval)
        if self.penalty_weight < 0 or self.penalty_interval < 1:
            raise ConfigError(
                f"Received: penalty_weight={weight}, penalty_interval={interval}. "
                "Expected a weight >= 0 and an interval >= 1."
            )

    def _init_stabilizers(self, clip, policy, ema_decay, noise_std, noise_steps):
        self.clip_weights = float(clip)
        if self.clip_weights < 0:
            raise ConfigError(f"Received: clip_weights={clip}. Expected c >= 0 (0 = off).")
        self.diff_augment = policy
        self.augment_policy = augment_lib.parse_policy(policy)
        if self.augment_policy:
            shape = self.discriminator.input_shape
            # A conditional D takes [images, labels]; only the images are augmented.
            shape = shape[0] if isinstance(shape, list) else shape
            # Augmentation comes before packing: it sees G's examples, not D's packed input.
            augment_lib.check_images((*shape[:-1], shape[-1] // self.pack), policy)
        self.ema_decay = float(ema_decay)
        if not 0.0 <= self.ema_decay < 1.0:
            raise ConfigError(f"Received: ema_decay={ema_decay}. Expected a value in [0, 1).")
        self.ema_generator = (
            stabilizers.clone_for_ema(self.generator) if self.ema_decay > 0 else None
        )
        self.instance_noise_std = float(noise_std)
        self.instance_noise_steps = int(noise_steps)
        if self.instance_noise_std < 0 or (self.instance_noise_std and noise_steps < 1):
            raise ConfigError(
                f"Received: instance_noise_std={noise_std}, instance_noise_steps={noise_steps}. "
                "Expected std >= 0 and, when std > 0, steps >= 1."
            )

    def _init_ada(self, target, interval, kimg, policy):
        self.ada_policy = policy
        self._ada_names = augment_lib.check_ada(target, interval, kimg, policy, self.diff_augment)
        self.ada_target, self.ada_interval, self.ada_kimg = float(target), int(interval), kimg
        if not self._ada_names:
            return
        shape = self.discriminator.input_shape
        shape = shape[0] if isinstance(shape, list) else shape
        if len(shape) != 4:
            raise ConfigError(
                f"Received: ada_target={target} for discriminator inputs of shape {shape}. "
                "Expected image batches [batch, height, width, channels]: ADA's transforms "
                "act on images; set ada_target=0 for other data."
            )
        # One value on every replica (each computes it from all-reduced statistics), so the
        # first replica's write stands for all.
        state = dict(trainable=False, autocast=False, aggregation="only_first_replica")
        self.ada_p = keras.Variable(0.0, dtype="float32", name="ada_p", **state)
        self.ada_rt = keras.Variable(0.0, dtype="float32", name="ada_rt", **state)
        # Over the current interval: sum of sign(D(real)), logits counted, real images, steps.
        self.ada_accumulator = keras.Variable(
            tf.zeros([4]), dtype="float32", name="ada_accumulator", **state
        )

    @property
    def ada_variables(self) -> dict:
        """ADA's state, for checkpoints: {} when ADA is off."""
        if not self._ada_names:
            return {}
        return dict(p=self.ada_p, rt=self.ada_rt, accumulator=self.ada_accumulator)

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
        trackers = [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.real_logit_tracker,
            self.fake_logit_tracker,
        ]
        trackers += [self.penalty_tracker] if self.penalty_tracker else []
        return trackers + list(self.health_trackers.values())

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator used for sampling, evaluation and export (the EMA copy when enabled)."""
        ema = getattr(self, "ema_generator", None)
        return self.generator if ema is None else ema

    def call(self, z, training=False):
        return self.sampling_generator(z, training=training)

    def sample_latent(self, batch_size):
        """z ~ N(0, I) [batch_size, latent_dim]; under a multi-replica strategy each replica
        folds its id into the seed, so replicas draw different z (the seed state itself is
        mirrored: without the fold-in every replica would draw the same fakes)."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        context = tf.distribute.get_replica_context()
        if replicas == 1 or context is None:
            return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        seed = tf.random.experimental.stateless_fold_in(
            self.seed_generator.next(), context.replica_id_in_sync_group
        )
        return tf.random.stateless_normal((batch_size, self.latent_dim), seed=seed)

    def _replica_scale(self):
        # Losses are per-replica batch means; Keras 3's optimizer all-reduces gradients with a
        # SUM across replicas (TFOptimizer._all_reduce_sum_gradients), so scale by 1/replicas
        # to get the gradient of the mean over the global batch (equal per-replica batches).
        return 1.0 / tf.distribute.get_strategy().num_replicas_in_sync

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        batch_size = tf.shape(real)[0]
        g_tape = None
        for i in range(self.d_steps):
            # With reuse_fakes, the last D step's G forward is recorded for G's update.
            keep = self.reuse_fakes and i == self.d_steps - 1
            g_tape = tf.GradientTape() if keep else None
            with g_tape or contextlib.nullcontext():
                fake = self.generator(self.sample_latent(batch_size), training=True)
            d_loss, penalty, real_logits, fake_logits, d_norm = self._discriminator_step(real, fake)

        if g_tape is None:
            g_tape = tf.GradientTape()
            with g_tape:
                fake = self.generator(self.sample_latent(batch_size), training=True)
        with g_tape:
            g_loss = self.generator_loss(real, fake, real_logits)
            scaled = self.g_optimizer.scale_loss(g_loss * self._replica_scale())
        g_grads = self._apply_generator_update(g_tape, scaled)
        self._update_step_metrics(
            d_loss, g_loss, penalty, real_logits, fake_logits, d_norm, g_grads
        )
        return self.step_logs()

    def step_logs(self) -> dict:
        """What `train_step` returns: each metric's running mean, by name (and ADA's current
        p and r_t, when on)."""
        logs = {m.name: m.result() for m in self.metrics}
        if self._ada_names:
            logs.update(ada_p=tf.identity(self.ada_p.value), ada_rt=tf.identity(self.ada_rt.value))
        if distribute_lib.is_multi_worker():
            # Keras 3 reduces step outputs across workers with strategy.reduce(MEAN, v, axis=0),
            # which fails on scalars ("Invalid reduction dimension 0", keras-team/keras#20585,
            # tensorflow/tensorflow#72388); a [1] vector reduces to the scalar mean.
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    def _apply_generator_update(self, g_tape, scaled_loss):
        """G's optimizer step (then the EMA copy's); returns G's gradients for the metrics."""
        g_vars = self.generator.trainable_variables
        g_grads = g_tape.gradient(scaled_loss, g_vars)
        self.g_optimizer.apply_gradients(zip(g_grads, g_vars, strict=True))
        if self.ema_generator is not None:
            stabilizers.ema_update(self.ema_generator, self.generator, self.ema_decay)
        return g_grads

    def _update_step_metrics(
        self, d_loss, g_loss, penalty, real_logits, fake_logits, d_norm, g_grads
    ):
        """Records a finished step: the metric trackers, and ADA's observation of the last D
        step's logits on (augmented) reals, the one place every GAN step reports them."""
        if self._ada_names:
            self.ada_observe(real_logits)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_logit_tracker.update_state(tf.reduce_mean(real_logits))
        self.fake_logit_tracker.update_state(tf.reduce_mean(fake_logits))
        if self.penalty_tracker is not None:
            self.penalty_tracker.update_state(penalty)
        g_norm = grad_norm(g_grads, self.g_optimizer)
        self._update_health(d_norm, g_norm, real_logits, fake_logits)

    def _update_health(self, d_norm, g_norm, real_logits, fake_logits):
        health = self.health_trackers
        health["d_grad_norm"].update_state(d_norm)
        health["g_grad_norm"].update_state(g_norm)
        health["d_real_acc"].update_state(tf.reduce_mean(tf.cast(real_logits > 0, tf.float32)))
        health["d_fake_acc"].update_state(tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32)))

    def ada_observe(self, real_logits) -> None:
        """Adds one step's sign(D(x_real)) to the interval's sums; at the interval's end sets
        ada_rt = E[sign(D(x_real))] over it, moves ada_p (`augment.ada_adjust`) and restarts
        the sums. Variables only, selected with tf.where: no Python state, one graph (XLA).
        Under a multi-replica strategy the sums are all-reduced first, so every replica holds
        the global r_t and p."""
        signs = tf.sign(tf.cast(real_logits, tf.float32))
        images = tf.shape(real_logits)[0] * self.pack  # packing: m images per logit row
        sums = tf.stack(
            [tf.reduce_sum(signs), tf.cast(tf.size(signs), tf.float32), tf.cast(images, tf.float32)]
        )
        context = tf.distribute.get_replica_context()
        if context is not None and tf.distribute.get_strategy().num_replicas_in_sync > 1:
            sums = context.all_reduce(tf.distribute.ReduceOp.SUM, sums)
        total = self.ada_accumulator.value + tf.concat([sums, [1.0]], axis=0)
        due = total[3] >= float(self.ada_interval)
        rt = total[0] / tf.maximum(total[1], 1.0)
        p = augment_lib.ada_adjust(self.ada_p.value, rt, self.ada_target, total[2], self.ada_kimg)
        self.ada_p.assign(tf.where(due, p, self.ada_p.value))
        self.ada_rt.assign(tf.where(due, rt, self.ada_rt.value))
        self.ada_accumulator.assign(tf.where(due, tf.zeros_like(total), total))

    def _discriminator_step(self, real, fake):
        real_in, fake_in = self.discriminator_inputs(real), self.discriminator_inputs(fake)
        d_vars = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real_logits, fake_logits = self.discriminate_pair(real_in, fake_in)
            d_loss = self.loss_fn(real_logits, fake_logits).d_loss
            scaled = self.d_optimizer.scale_loss(d_loss * self._replica_scale())
        grads = tape.gradient(scaled, d_vars)
        penalty, penalty_grads = self.penalty_gradients(real_in, fake_in)
        if penalty_grads is not None:
            grads = [g + p for g, p in zip(grads, penalty_grads, strict=True)]
        self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))
        if self.clip_weights > 0:
            stabilizers.clip_weights(d_vars, self.clip_weights)
        return d_loss, penalty, real_logits, fake_logits, grad_norm(grads, self.d_optimizer)

    def discriminate_pair(self, real_in, fake_in, critic=None):
        """(critic(real_in), critic(fake_in)), in one pass on the concatenated batch when
        `fused_d_pass` resolved to True. `critic` (default: D in training mode) returns a tensor
        or a tuple/list of tensors, each split back along the batch axis."""
        critic = critic or functools.partial(self.discriminator, training=True)
        if not self._fuse_d:
            return critic(real_in), critic(fake_in)
        n = tf.shape(real_in)[0]
        out = critic(tf.concat([real_in, fake_in], axis=0))
        return tf.nest.map_structure(lambda t: t[:n], out), tf.nest.map_structure(
            lambda t: t[n:], out
        )

    def discriminator_inputs(self, x):
        """What D sees of a batch: DiffAugment or ADA, then instance noise (each when enabled),
        then packing (m examples per D input, when pack > 1)."""
        if self.augment_policy:
            x = augment_lib.diff_augment(x, self.augment_policy, seed=self.seed_generator)
        if self._ada_names:
            x = augment_lib.adaptive_augment(
                x, self._ada_names, self.ada_p.value, seed=self.seed_generator
            )
        if self.instance_noise_std > 0:
            x = stabilizers.instance_noise(
                x,
                self.instance_noise_std,
                self.g_optimizer.iterations,
                self.instance_noise_steps,
                seed=self.seed_generator,
            )
        return stabilizers.pack(x, self.pack)

    def penalty_gradients(self, real_in, fake_in, critic=None):
        """(term, its gradients for D's variables): term = weight * penalty(D, real, fake), or
        interval * that every `penalty_interval` D steps and 0 between (lazy regularisation).
        `critic`, x -> logits, stands in for D in training mode (conditional GANs bind labels).

        Its own tape inside the lazy tf.cond, rather than one tape over a cond: XLA cannot
        differentiate through a cond whose branch holds a gradient of dynamic-batch tensors.
        """
        if self.penalty_fn is None:
            return tf.constant(0.0, tf.float32), None
        d_vars = self.discriminator.trainable_variables

        def weighted():
            with tf.GradientTape() as tape:
                d = critic or functools.partial(self.discriminator, training=True)
                value = self.penalty_fn(d, real_in, fake_in, seed=self.seed_generator)
                term = self.penalty_weight * value
                scaled = self.d_optimizer.scale_loss(term * self._replica_scale())
            grads = tape.gradient(scaled, d_vars)
            # A bias right before the logits does not change grad_x D: no gradient, so zeros.
            return term, [
                tf.zeros(v.shape) if g is None else g for g, v in zip(grads, d_vars, strict=True)
            ]

        step = self.d_optimizer.iterations
        return penalties_lib.lazy(weighted, step, self.penalty_interval, like=(0.0, d_vars))

    def generator_loss(self, real, fake, real_logits=None):
        """G's loss on the generated batch `fake` (gradients flow to G through it).

        Losses whose g_loss reads real logits (relativistic ones) get D(real) recomputed here
        with the D just updated, on freshly augmented reals; the others ignore real logits, so
        the D step's `real_logits` are passed along unchanged (no extra forward pass).
        """
        fake_logits = self.discriminator(self.discriminator_inputs(fake), training=True)
        if self._g_needs_real_logits or real_logits is None:
            real_logits = self.discriminator(self.discriminator_inputs(real), training=True)
        return self.loss_fn(tf.stop_gradient(real_logits), fake_logits).g_loss

    def generate(self, num: int, seed: int = 0, batch_size: int = 256) -> np.ndarray:
        """`num` samples in the generator's output range ([-1, 1] for images), deterministic in seed."""
        z = self.latent_for_seed(num, seed)
        out = [
            keras.ops.convert_to_numpy(
                self.sampling_generator(z[i : i + batch_size], training=False)
            )
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
            penalty=self.penalty,
            penalty_weight=self.penalty_weight,
            penalty_interval=self.penalty_interval,
            clip_weights=self.clip_weights,
            diff_augment=self.diff_augment,
            ema_decay=self.ema_decay,
            label_smoothing=self.label_smoothing,
            instance_noise_std=self.instance_noise_std,
            instance_noise_steps=self.instance_noise_steps,
            pack=self.pack,
            ada_target=self.ada_target,
            ada_interval=self.ada_interval,
            ada_kimg=self.ada_kimg,
            ada_policy=self.ada_policy,
            fused_d_pass=self.fused_d_pass,
            reuse_fakes=self.reuse_fakes,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)
