"""Training stabilisers that act on variables or D inputs: EMA, weight clipping, instance noise;
and the validation of the config's `stabilizers` section and model flags.

Losses live in `losses`, penalties in `penalties`, DiffAugment and ADA in `augment`, spectral norm and
minibatch stddev in `models.layers`; `GAN` composes them.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from ganzoo.errors import ConfigError
from ganzoo.registry import unknown_name_message


def clone_for_ema(model: keras.Model) -> keras.Model:
    """A non-trainable copy of `model` (same architecture and weights) to hold the averages."""
    ema = keras.models.clone_model(model)
    ema.set_weights(model.get_weights())
    ema.trainable = False
    return ema


def ema_update(ema: keras.Model, model: keras.Model, decay: float) -> None:
    """theta_ema <- decay * theta_ema + (1 - decay) * theta for trainable weights; the others
    (batch-norm statistics) are copied, as StyleGAN does with its buffers."""
    for average, weight in zip(ema.weights, model.weights, strict=True):
        if weight.trainable:
            average.assign(decay * average + (1.0 - decay) * weight)
        else:
            average.assign(weight)


def clip_weights(variables, clip: float) -> None:
    """WGAN weight clipping (Arjovsky et al. 2017): w <- clip(w, -c, c) for every variable."""
    for v in variables:
        v.assign(tf.clip_by_value(v, -clip, clip))


def annealed_std(std: float, step, anneal_steps: int) -> tf.Tensor:
    """sigma_t = std * max(0, 1 - t / N): linear decay from `std` at t=0 to 0 at t=N."""
    t = tf.cast(step, tf.float32)
    return std * tf.maximum(0.0, 1.0 - t / float(anneal_steps))


def instance_noise(x, std: float, step, anneal_steps: int, seed=None):
    """x + sigma_t n, n ~ N(0, I), sigma_t = `annealed_std` (Sonderby et al. 2017; Arjovsky &
    Bottou 2017): real and fake distributions overlap, so D's gradients stay informative."""
    sigma = tf.cast(annealed_std(std, step, anneal_steps), x.dtype)
    return x + sigma * keras.random.normal(tf.shape(x), dtype=x.dtype, seed=seed)


def packed_shape(example_shape, m: int) -> tuple[int, ...]:
    """The shape of one D input under PacGAN's packing: m examples along the last axis."""
    shape = tuple(example_shape)
    return (*shape[:-1], shape[-1] * int(m))


def pack(x, m: int):
    """PacGAN (Lin et al. 2018): (B, ..., C) -> (B/m, ..., m*C), examples i*m .. i*m+m-1
    side by side along the last axis; m = 1 returns x. B must be a multiple of m."""
    if m == 1:
        return x
    rank = len(x.shape)
    grouped = tf.reshape(x, tf.concat([[-1, m], tf.shape(x)[1:]], axis=0))  # (B/m, m, ..., C)
    # (B/m, ..., m, C): the group axis next to the channels, then merged with them.
    grouped = tf.transpose(grouped, [0, *range(2, rank), 1, rank])
    return tf.reshape(grouped, tf.concat([tf.shape(grouped)[:-2], [m * x.shape[-1]]], axis=0))


def check_pack(m, d_input_shape, g_output_shape) -> int:
    """m as an int, or ConfigError unless m >= 1 and D takes m of G's examples at once."""
    if int(m) != m or m < 1:
        raise ConfigError(f"Received: pack={m!r}. Expected an integer >= 1 (1 = off).")
    if m == 1:
        return 1
    d_shape = d_input_shape[0] if isinstance(d_input_shape, list) else d_input_shape
    expected = packed_shape(g_output_shape[1:], int(m))
    if tuple(d_shape[1:]) != expected:
        raise ConfigError(
            f"Received: pack={m} with a discriminator taking {tuple(d_shape[1:])}. Expected one "
            f"built for {expected}: {m} generator examples of {tuple(g_output_shape[1:])} "
            "stacked along the last axis."
        )
    return int(m)


# Families whose discriminator ignores model.minibatch_std_group (better: each family's `check`).
_NO_MINIBATCH_STD = ("mlp",)


def _check_range(key, value, low, high=None, low_open=False):
    ok = (value > low if low_open else value >= low) and (high is None or value < high)
    if not ok:
        left = "(" if low_open else "["
        right = f"{high})" if high is not None else "inf)"
        raise ConfigError(f"Received: {key}={value!r}. Expected a value in {left}{low}, {right}.")


def check_config(config) -> None:
    """ConfigError for an invalid `stabilizers` section or model flag; builds nothing."""
    from ganzoo import augment, losses, penalties
    from ganzoo.data import example_shape

    s, model = config.stabilizers, config.model
    if s.penalty != "none" and s.penalty not in penalties.PENALTIES:
        choices = ["none", *penalties.PENALTIES.names()]
        raise ConfigError(unknown_name_message("stabilizers.penalty", s.penalty, choices))
    _check_range("stabilizers.penalty_weight", s.penalty_weight, 0.0)
    _check_range("stabilizers.penalty_interval", s.penalty_interval, 1)
    _check_range("stabilizers.clip_weights", s.clip_weights, 0.0)
    _check_range("stabilizers.ema_decay", s.ema_decay, 0.0, 1.0)
    _check_range("stabilizers.instance_noise_std", s.instance_noise_std, 0.0)
    if s.instance_noise_std > 0:
        _check_range("stabilizers.instance_noise_steps", s.instance_noise_steps, 1)
    _check_range("stabilizers.label_smoothing", s.label_smoothing, 0.0, 1.0)
    _check_pack_config(s.pack, config.train.batch_size)
    losses.get(model.loss, label_smoothing=s.label_smoothing)
    if augment.parse_policy(s.diff_augment):
        augment.check_images((None, *example_shape(config)), s.diff_augment)
    # ADA's shape rule is each family's (ImageFamily.check_adaptive_augment): it knows its examples.
    augment.check_ada(
        s.ada_target, s.ada_interval, s.ada_kimg, s.ada_policy, s.diff_augment, "stabilizers."
    )
    group = model.minibatch_std_group
    _check_range("model.minibatch_std_group", group, 0)
    if group and model.arch in _NO_MINIBATCH_STD:
        raise ConfigError(
            f"Received: model.minibatch_std_group={group} with model.arch={model.arch!r}. "
            "That discriminator has no minibatch stddev layer (dcgan, resnet and stylegan "
            "have one); set it to 0."
        )
    batch = config.train.batch_size
    if group and batch % min(group, batch):
        raise ConfigError(
            f"Received: model.minibatch_std_group={group}, train.batch_size={batch}. Expected a "
            "batch size that is a multiple of the group size."
        )


def _check_pack_config(m, batch_size: int) -> None:
    if not isinstance(m, int) or m < 1:
        raise ConfigError(f"Received: stabilizers.pack={m!r}. Expected an integer >= 1 (1 = off).")
    if batch_size % m:
        raise ConfigError(
            f"Received: stabilizers.pack={m}, train.batch_size={batch_size}. Expected a batch "
            "size that is a multiple of pack (D judges pack examples at once)."
        )
