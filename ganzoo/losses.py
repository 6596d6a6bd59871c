"""GAN objectives as pure functions on discriminator logits -> LossPair(d_loss, g_loss).

Every loss takes the raw (pre-sigmoid) discriminator outputs for a real and a generated batch
and returns scalar means over the batch. Log-probabilities are written with softplus, using
log sigmoid(x) = -softplus(-x) and log(1 - sigmoid(x)) = -softplus(x), so no probability is
ever formed and large logits cannot produce log(0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import tensorflow as tf

from ganzoo.registry import Registry


class LossPair(NamedTuple):
    d_loss: tf.Tensor
    g_loss: tf.Tensor


LossFn = Callable[[tf.Tensor, tf.Tensor], LossPair]
LOSSES: Registry[LossFn] = Registry("loss")


def _mean(x):
    return tf.reduce_mean(tf.cast(x, tf.float32))


def _bce_discriminator(real_logits, fake_logits):
    # -log D(x) - log(1 - D(G(z)))
    return _mean(tf.nn.softplus(-real_logits)) + _mean(tf.nn.softplus(fake_logits))


@LOSSES.register("minimax")
def minimax(real_logits, fake_logits) -> LossPair:
    """The original GAN game (Goodfellow et al. 2014), G minimising log(1 - D(G(z))).

    d_loss = -E[log D(x)] - E[log(1 - D(G(z)))] = E[softplus(-r)] + E[softplus(f)]
    g_loss =  E[log(1 - D(G(z)))]                = -E[softplus(f)]

    G's gradient vanishes when D confidently rejects its samples (early training); that is the
    paper's objective, kept as is so its failure can be studied. Use `non_saturating` to train.
    """
    return LossPair(_bce_discriminator(real_logits, fake_logits), -_mean(tf.nn.softplus(fake_logits)))


@LOSSES.register("non_saturating")
def non_saturating(real_logits, fake_logits) -> LossPair:
    """The paper's practical variant: G maximises log D(G(z)) instead.

    d_loss = E[softplus(-r)] + E[softplus(f)]
    g_loss = -E[log D(G(z))] = E[softplus(-f)]
    """
    return LossPair(_bce_discriminator(real_logits, fake_logits), _mean(tf.nn.softplus(-fake_logits)))


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


def get(name: str) -> LossFn:
    """The loss function registered under `name` (ConfigError with close names otherwise)."""
    return LOSSES.get(name)
