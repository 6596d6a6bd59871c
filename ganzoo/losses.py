"""GAN objectives as pure functions on discriminator logits -> LossPair(d_loss, g_loss).

Every loss takes the raw (pre-sigmoid) discriminator outputs for a real and a generated batch
and returns scalar means over the batch. Log-probabilities are written with softplus, using
log sigmoid(x) = -softplus(-x) and log(1 - sigmoid(x)) = -softplus(x), so no probability is
ever formed and large logits cannot produce log(0).

The cross-entropy losses (`minimax`, `non_saturating`, `relativistic_average`) also take
`label_smoothing` (one-sided: the discriminator's real target becomes 1 - s); `get(name,
label_smoothing=s)` binds it and refuses it for the other losses, which have no such target.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import tensorflow as tf

from ganzoo.errors import ConfigError
from ganzoo.registry import Registry


class LossPair(NamedTuple):
    d_loss: tf.Tensor
    g_loss: tf.Tensor


LossFn = Callable[[tf.Tensor, tf.Tensor], LossPair]
LOSSES: Registry[LossFn] = Registry("loss")


def _mean(x):
    return tf.reduce_mean(tf.cast(x, tf.float32))


def _bce_real(logits, label_smoothing=0.0):
    # Cross-entropy against the target 1 - s: -(1 - s) log sigmoid(x) - s log(1 - sigmoid(x)).
    loss = tf.nn.softplus(-logits)
    if label_smoothing:
        loss = (1.0 - label_smoothing) * loss + label_smoothing * tf.nn.softplus(logits)
    return _mean(loss)


def _bce_discriminator(real_logits, fake_logits, label_smoothing=0.0):
    # -(1 - s) log D(x) - s log(1 - D(x)) - log(1 - D(G(z)))
    return _bce_real(real_logits, label_smoothing) + _mean(tf.nn.softplus(fake_logits))


@LOSSES.register("minimax")
def minimax(real_logits, fake_logits, label_smoothing: float = 0.0) -> LossPair:
    """The original GAN game (Goodfellow et al. 2014), G minimising log(1 - D(G(z))).

    d_loss = -E[log D(x)] - E[log(1 - D(G(z)))] = E[softplus(-r)] + E[softplus(f)]
    g_loss =  E[log(1 - D(G(z)))]                = -E[softplus(f)]

    G's gradient vanishes when D confidently rejects its samples (early training); that is the
    paper's objective, kept as is so its failure can be studied. Use `non_saturating` to train.
    With `label_smoothing` s, E[softplus(-r)] becomes E[(1 - s) softplus(-r) + s softplus(r)].
    """
    d_loss = _bce_discriminator(real_logits, fake_logits, label_smoothing)
    return LossPair(d_loss, -_mean(tf.nn.softplus(fake_logits)))


@LOSSES.register("non_saturating")
def non_saturating(real_logits, fake_logits, label_smoothing: float = 0.0) -> LossPair:
    """The paper's practical variant: G maximises log D(G(z)) instead.

    d_loss = E[softplus(-r)] + E[softplus(f)]   (label smoothing as in `minimax`)
    g_loss = -E[log D(G(z))] = E[softplus(-f)]
    """
    d_loss = _bce_discriminator(real_logits, fake_logits, label_smoothing)
    return LossPair(d_loss, _mean(tf.nn.softplus(-fake_logits)))


@LOSSES.register("wasserstein")
def wasserstein(real_logits, fake_logits) -> LossPair:
    """WGAN (Arjovsky et al. 2017); D is a critic and needs a Lipschitz constraint (clipping, GP).

    d_loss = E[D(G(z))] - E[D(x)]
    g_loss = -E[D(G(z))]
    """
    return LossPair(_mean(fake_logits) - _mean(real_logits), -_mean(fake_logits))


@LOSSES.register("least_squares")
def least_squares(real_logits, fake_logits) -> LossPair:
    """LSGAN (Mao et al. 2017) with targets a=0 (fake), b=1 (real), c=1 (G's target).

    d_loss = 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2]
    g_loss = 1/2 E[(D(G(z)) - 1)^2]
    """
    d_loss = 0.5 * _mean(tf.square(real_logits - 1.0)) + 0.5 * _mean(tf.square(fake_logits))
    return LossPair(d_loss, 0.5 * _mean(tf.square(fake_logits - 1.0)))


@LOSSES.register("hinge")
def hinge(real_logits, fake_logits) -> LossPair:
    """Hinge loss (Lim & Ye 2017; SNGAN, BigGAN).

    d_loss = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]
    g_loss = -E[D(G(z))]
    """
    d_loss = _mean(tf.nn.relu(1.0 - real_logits)) + _mean(tf.nn.relu(1.0 + fake_logits))
    return LossPair(d_loss, -_mean(fake_logits))


@LOSSES.register("relativistic_average")
def relativistic_average(real_logits, fake_logits, label_smoothing: float = 0.0) -> LossPair:
    """Relativistic average GAN, non-saturating form (RaSGAN, Jolicoeur-Martineau 2018).

    D estimates how much more realistic a real sample is than the average fake, and vice versa:
    with r~ = r - E[f] and f~ = f - E[r],

    d_loss = -E[log sigmoid(r~)] - E[log(1 - sigmoid(f~))] = E[softplus(-r~)] + E[softplus(f~)]
    g_loss = -E[log sigmoid(f~)] - E[log(1 - sigmoid(r~))] = E[softplus(-f~)] + E[softplus(r~)]

    g_loss needs the real logits (`G_NEEDS_REAL_LOGITS`): `GAN` recomputes D(real) in the
    generator step with the freshly updated D. Label smoothing applies to D's r~ target.
    """
    real_rel = real_logits - _mean(fake_logits)
    fake_rel = fake_logits - _mean(real_logits)
    d_loss = _bce_real(real_rel, label_smoothing) + _mean(tf.nn.softplus(fake_rel))
    g_loss = _mean(tf.nn.softplus(-fake_rel)) + _mean(tf.nn.softplus(real_rel))
    return LossPair(d_loss, g_loss)


# Losses with a real target a cross-entropy can smooth, and those whose g_loss reads real logits.
LABEL_SMOOTHING_LOSSES = ("minimax", "non_saturating", "relativistic_average")
G_NEEDS_REAL_LOGITS = ("relativistic_average",)


def get(name: str, label_smoothing: float = 0.0) -> LossFn:
    """The loss registered under `name` (ConfigError with close names otherwise).

    `label_smoothing` s in [0, 1): one-sided smoothing, D's real target 1 - s (Salimans et al.
    2016); only for the cross-entropy losses in LABEL_SMOOTHING_LOSSES.
    """
    fn = LOSSES.get(name)
    if not label_smoothing:
        return fn
    if name not in LABEL_SMOOTHING_LOSSES:
        raise ConfigError(
            f"Received: label_smoothing={label_smoothing} with loss {name!r}. Label smoothing "
            f"changes a cross-entropy target; expected one of {', '.join(LABEL_SMOOTHING_LOSSES)}, "
            "or label_smoothing=0."
        )
    if not 0.0 <= label_smoothing < 1.0:
        raise ConfigError(
            f"Received: label_smoothing={label_smoothing}. Expected a value in [0, 1)."
        )
    return functools.partial(fn, label_smoothing=float(label_smoothing))
