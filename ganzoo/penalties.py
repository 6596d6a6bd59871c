"""Discriminator regularisers as pure functions: (discriminator, real, fake) -> scalar penalty.

`discriminator` is any callable x -> logits [B, 1] (`GAN` passes its discriminator in training
mode). The penalties return the unweighted term; `GAN` adds `weight * penalty` to the D loss,
every `interval` D steps when lazy (`lazy`). Gradients with respect to the inputs are taken of
sum_i D(x_i), which equals the per-sample gradient whenever samples do not interact inside D
(no batch norm; minibatch-stddev layers add a small cross-sample term, as in ProGAN).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from ganzoo.registry import Registry

PenaltyFn = Callable[..., tf.Tensor]
PENALTIES: Registry[PenaltyFn] = Registry("penalty")

# Keeps sqrt differentiable where a gradient is exactly zero.
_NORM_EPS = 1e-12


def input_gradients(discriminator, x) -> tf.Tensor:
    """dD(x_i)/dx_i for every sample, shape of x (recorded, so it can be differentiated again)."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(tf.cast(discriminator(x), tf.float32))
    return tape.gradient(total, x)


def _per_sample_sq_norm(grads) -> tf.Tensor:
    axes = list(range(1, grads.shape.rank))
    return tf.reduce_sum(tf.square(tf.cast(grads, tf.float32)), axis=axes)


def _per_sample_uniform(x, seed) -> tf.Tensor:
    shape = [tf.shape(x)[0]] + [1] * (x.shape.rank - 1)
    return keras.random.uniform(shape, dtype=x.dtype, seed=seed)


@PENALTIES.register("wgan_gp")
def wgan_gp(discriminator, real, fake, *, seed=None, alpha=None) -> tf.Tensor:
    """WGAN-GP gradient penalty (Gulrajani et al. 2017).

    x^ = a x + (1 - a) G(z), one a ~ U[0, 1] per sample (or the given `alpha`, shape [B, 1, ..]);
    penalty = E[(||grad_x^ D(x^)||_2 - 1)^2], the norm taken over all non-batch axes.
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(fake, real.dtype)
    alpha = _per_sample_uniform(real, seed) if alpha is None else tf.cast(alpha, real.dtype)
    interpolated = alpha * real + (1.0 - alpha) * fake
    norm = tf.sqrt(_per_sample_sq_norm(input_gradients(discriminator, interpolated)) + _NORM_EPS)
    return tf.reduce_mean(tf.square(norm - 1.0))


@PENALTIES.register("dragan")
def dragan(
    discriminator, real, fake=None, *, perturb_scale=0.5, seed=None, alpha=None, noise=None
) -> tf.Tensor:
    """DRAGAN (Kodali et al. 2017): the gradient penalty around perturbed real samples.

    As in the authors' code: x_p = x + c std(x) u with u ~ U[0, 1)^shape(x) (`noise`), std over
    the whole batch and c = `perturb_scale`; x^ = x + a (x_p - x) with one a ~ U[0, 1] per
    sample (`alpha`); penalty = E[(||grad_x^ D(x^)||_2 - 1)^2]. `fake` is not used.
    """
    del fake
    real = tf.convert_to_tensor(real)
    if noise is None:
        noise = keras.random.uniform(tf.shape(real), dtype=real.dtype, seed=seed)
    alpha = _per_sample_uniform(real, seed) if alpha is None else tf.cast(alpha, real.dtype)
    delta = perturb_scale * tf.math.reduce_std(real) * tf.cast(noise, real.dtype)
    perturbed = real + alpha * tf.stop_gradient(delta)
    norm = tf.sqrt(_per_sample_sq_norm(input_gradients(discriminator, perturbed)) + _NORM_EPS)
    return tf.reduce_mean(tf.square(norm - 1.0))


@PENALTIES.register("r1")
def r1(discriminator, real, fake=None, *, seed=None) -> tf.Tensor:
    """R1 (Mescheder et al. 2018): penalty = 1/2 E[||grad_x D(x)||^2] on real data only.

    With weight gamma the D loss gains gamma/2 E||grad D(x)||^2, the paper's form. `fake` and
    `seed` are not used.
    """
    del fake, seed
    real = tf.convert_to_tensor(real)
    return 0.5 * tf.reduce_mean(_per_sample_sq_norm(input_gradients(discriminator, real)))


def lazy(penalty: Callable[[], object], step, interval: int, like=0.0):
    """Lazy regularisation (Karras et al. 2020, StyleGAN2): `interval * penalty()` on the D
    steps where step % interval == 0, else zeros; the scaling keeps the average weight.

    `penalty` is a thunk returning a tensor or a structure of tensors (such as a penalty and
    its gradients), so that skipped steps do not compute it (tf.cond runs one branch). `like`
    has the structure of its result (tensors, variables or numbers), for the zeros.
    """
    interval = int(interval)
    if interval == 1:
        return penalty()

    def scaled():
        return tf.nest.map_structure(lambda t: float(interval) * t, penalty())

    def zeros():
        return tf.nest.map_structure(lambda t: tf.zeros_like(tf.convert_to_tensor(t)), like)

    return tf.cond(tf.equal(tf.math.floormod(step, interval), 0), scaled, zeros)


def get(name: str) -> PenaltyFn:
    """The penalty registered under `name` (ConfigError with close names otherwise)."""
    return PENALTIES.get(name)
