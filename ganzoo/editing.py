"""Latent-space editing of a trained generator, as pure functions: interpolation (lerp, slerp),
direction arithmetic between two groups of latents, GAN inversion (optimise z to reconstruct an
image) and generator fine-tuning around an inverted z.

`ganzoo.edit_lib` applies them to run folders (`--mode=edit`) and scores reconstructions with
`ganzoo.metrics.restoration.psnr`.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from ganzoo.errors import ConfigError

EDIT_OPS = ("interpolate", "direction", "invert")
INTERPOLATIONS = ("lerp", "slerp", "both")


def lerp(z0: np.ndarray, z1: np.ndarray, t) -> np.ndarray:
    """z(t) = (1 - t) z0 + t z1 for each t (a scalar or [T]); [..., D] -> [T, ..., D]."""
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    t = np.reshape(np.asarray(t, np.float64), (-1,) + (1,) * z0.ndim)
    return ((1.0 - t) * z0 + t * z1).astype(np.float32)


def slerp(z0: np.ndarray, z1: np.ndarray, t, eps: float = 1e-6) -> np.ndarray:
    """Spherical interpolation (Shoemake 1985; White 2016 for GAN latents), per row [..., D]:

    omega = arccos(<z0, z1> / (|z0| |z1|))
    z(t) = sin((1 - t) omega) / sin(omega) z0 + sin(t omega) / sin(omega) z1

    Between vectors of equal norm every z(t) keeps that norm (a Gaussian latent's typical
    shell), where lerp's midpoint shrinks by cos(omega / 2). Nearly parallel pairs
    (sin(omega) < eps) fall back to lerp. Returns [T, ..., D].
    """
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    t = np.reshape(np.asarray(t, np.float64), (-1,) + (1,) * z0.ndim)
    n0 = np.linalg.norm(z0, axis=-1, keepdims=True)
    n1 = np.linalg.norm(z1, axis=-1, keepdims=True)
    cos = np.clip(np.sum(z0 * z1, axis=-1, keepdims=True) / np.maximum(n0 * n1, 1e-30), -1, 1)
    omega = np.arccos(cos)
    sin = np.sin(omega)
    safe = np.where(sin < eps, 1.0, sin)
    spherical = (np.sin((1.0 - t) * omega) * z0 + np.sin(t * omega) * z1) / safe
    linear = (1.0 - t) * z0 + t * z1
    return np.where(sin < eps, linear, spherical).astype(np.float32)


def interpolation_path(z0, z1, frames: int, method: str = "slerp") -> np.ndarray:
    """`frames` latents from z0 to z1 (both included) with `method` (lerp | slerp):
    [frames, ..., D]."""
    if frames < 2:
        raise ConfigError(f"Received: frames={frames}. Expected at least 2 (the endpoints).")
    fn = {"lerp": lerp, "slerp": slerp}.get(method)
    if fn is None:
        raise ConfigError(f"Received: method={method!r}. Expected 'lerp' or 'slerp'.")
    return fn(z0, z1, np.linspace(0.0, 1.0, frames))


def group_direction(z: np.ndarray, groups: np.ndarray, group_a: int, group_b: int) -> np.ndarray:
    """d = mean(z[groups == b]) - mean(z[groups == a]): the mean latent difference from group a
    to group b (Radford et al. 2016's vector arithmetic; Larsen et al. 2016's attribute
    vectors). z [N, D], groups [N] -> [D]."""
    z, groups = np.asarray(z, np.float64), np.asarray(groups).reshape(-1)
    if z.ndim != 2 or len(z) != len(groups):
        raise ConfigError(
            f"Received: z of shape {z.shape} and groups of shape {groups.shape}. Expected "
            "[N, D] and [N]."
        )
    counts = {g: int(np.sum(groups == g)) for g in (group_a, group_b)}
    empty = [g for g, n in counts.items() if n == 0]
    if empty:
        present = ", ".join(
            f"{g}: {n}" for g, n in np.stack(np.unique(groups, return_counts=True), 1)
        )
        raise ConfigError(
            f"Received: no latent in group(s) {empty} among {len(groups)} (groups and counts: "
            f"{present}). Expected both groups {group_a} and {group_b} to occur: draw more "
            "samples (edit.group_samples) or pick classes the generator produces."
        )
    mean_b = z[groups == group_b].mean(axis=0)
    return (mean_b - z[groups == group_a].mean(axis=0)).astype(np.float32)


def _call(generator, z, labels):
    if labels is None:
        return generator(z, training=False)
    # Keras refuses a list mixing a tensor (z) and a numpy array.
    return generator(
        [tf.convert_to_tensor(z), tf.convert_to_tensor(labels, tf.int32)], training=False
    )


def _per_example_mse(x, y):
    return tf.reduce_mean(tf.reshape(tf.square(x - y), [tf.shape(x)[0], -1]), axis=1)


class Reconstruction(NamedTuple):
    z: np.ndarray  # [N, D] latents (inversion) or the z the generator was tuned at
    images: np.ndarray  # [N, ...] the generator's output at z
    mse: np.ndarray  # [N] pixel MSE against the targets (in the data's range)
    history: np.ndarray  # [steps + 1] mean pixel MSE before each step, then after the last
    generator: keras.Model | None = None  # the fine-tuned copy (finetune only)


def _objective(generator, target, labels, feature_fn, feature_weight, latent_reg):
    target = tf.convert_to_tensor(target, tf.float32)
    target_features = (
        tf.stop_gradient(feature_fn(target)) if feature_fn is not None and feature_weight else None
    )

    def losses(z):
        images = tf.cast(_call(generator, z, labels), tf.float32)
        mse = _per_example_mse(images, target)
        loss = mse
        if target_features is not None:
            loss = loss + feature_weight * _per_example_mse(feature_fn(images), target_features)
        if latent_reg:
            loss = loss + latent_reg * tf.reduce_mean(tf.square(z), axis=1)
        return loss, mse

    return losses


def invert(
    generator: keras.Model,
    target,
    z_init,
    *,
    labels=None,
    steps: int = 500,
    lr: float = 0.05,
    feature_fn=None,
    feature_weight: float = 0.0,
    latent_reg: float = 0.0,
) -> Reconstruction:
    """GAN inversion by optimisation (Zhu et al. 2016; Creswell & Bharath 2018): Adam on z,
    the generator frozen, minimising per example

    L(z) = |G(z) - x|^2 / P + feature_weight |phi(G(z)) - phi(x)|^2 / F + latent_reg |z|^2 / D

    (P pixels, phi a feature extractor such as the domain classifier's features, F its size).
    Each example's loss is summed, so examples don't share a step size. `labels` [N] for a
    conditional generator ([z, labels] -> x).
    """
    if steps < 0:
        raise ConfigError(f"Received: steps={steps}. Expected >= 0.")
    z = tf.Variable(np.asarray(z_init, np.float32), name="z")
    target = np.asarray(target, np.float32)
    if target.shape[0] != z.shape[0]:
        raise ConfigError(
            f"Received: {target.shape[0]} targets and {z.shape[0]} initial latents. Expected "
            "one latent per target."
        )
    losses = _objective(generator, target, labels, feature_fn, feature_weight, latent_reg)
    optimizer = keras.optimizers.Adam(lr)
    optimizer.build([z])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss, mse = losses(z)
            total = tf.reduce_sum(loss)
        optimizer.apply_gradients([(tape.gradient(total, z), z)])
        return tf.reduce_mean(mse)

    history = [float(step()) for _ in range(steps)]
    images = tf.cast(_call(generator, z, labels), tf.float32)
    mse = _per_example_mse(images, target).numpy()
    history.append(float(mse.mean()))
    return Reconstruction(z.numpy(), images.numpy(), mse, np.asarray(history))


def _trainable_clone(layer):
    # The sampling generator of an EMA run is a frozen copy whose variables were built
    # non-trainable; the tuned copy's layers are rebuilt trainable.
    return layer.__class__.from_config({**layer.get_config(), "trainable": True})


def finetune(
    generator: keras.Model,
    z,
    target,
    *,
    labels=None,
    steps: int = 200,
    lr: float = 1e-4,
    feature_fn=None,
    feature_weight: float = 0.0,
) -> Reconstruction:
    """Fine-tunes a copy of the generator's weights, z fixed, on the same pixel (+ feature) loss
    (pivotal tuning, Roich et al. 2022): the copy reconstructs the targets more closely and
    stays a generator, so edits of z can be rendered with it. The original is left unchanged.
    Inference mode throughout (batch-norm statistics are not updated)."""
    if steps < 0:
        raise ConfigError(f"Received: steps={steps}. Expected >= 0.")
    tuned = keras.models.clone_model(generator, clone_function=_trainable_clone)
    tuned.set_weights(generator.get_weights())
    z = tf.constant(np.asarray(z, np.float32))
    target = np.asarray(target, np.float32)
    losses = _objective(tuned, target, labels, feature_fn, feature_weight, 0.0)
    weights = tuned.trainable_variables
    optimizer = keras.optimizers.Adam(lr)
    optimizer.build(weights)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss, mse = losses(z)
            total = tf.reduce_mean(loss)
        optimizer.apply_gradients(zip(tape.gradient(total, weights), weights, strict=True))
        return tf.reduce_mean(mse)

    history = [float(step()) for _ in range(steps)]
    images = tf.cast(_call(tuned, z, labels), tf.float32)
    mse = _per_example_mse(images, target).numpy()
    history.append(float(mse.mean()))
    return Reconstruction(z.numpy(), images.numpy(), mse, np.asarray(history), tuned)


def parse_strengths(text: str) -> list[float]:
    """ "0,0.5,1" -> [0.0, 0.5, 1.0]."""
    try:
        values = [float(s) for s in str(text).split(",") if s.strip()]
    except ValueError:
        values = []
    if not values:
        raise ConfigError(
            f"Received: edit.strengths={text!r}. Expected comma-separated numbers, e.g. 0,1,2."
        )
    return values


def check_config(config) -> None:
    """Edit settings that types alone don't catch (called by ganzoo.experiment.validate)."""
    ed = config.edit
    for key, choices in (("op", EDIT_OPS), ("method", INTERPOLATIONS)):
        if ed[key] not in choices:
            raise ConfigError(
                f"Received: edit.{key}={ed[key]!r}. Expected one of {', '.join(choices)}."
            )
    if ed.num < 1 or ed.frames < 2 or ed.group_samples < 2 or ed.restarts < 1:
        raise ConfigError(
            f"Received: edit.num={ed.num}, frames={ed.frames}, group_samples="
            f"{ed.group_samples}, restarts={ed.restarts}. Expected num >= 1, frames >= 2, "
            "group_samples >= 2 and restarts >= 1."
        )
    if min(ed.steps, ed.finetune_steps) < 0 or ed.lr <= 0 or ed.finetune_lr <= 0:
        raise ConfigError(
            f"Received: edit.steps={ed.steps}, finetune_steps={ed.finetune_steps}, lr={ed.lr}, "
            f"finetune_lr={ed.finetune_lr}. Expected steps >= 0 and positive learning rates."
        )
    if ed.feature_weight < 0 or ed.latent_reg < 0:
        raise ConfigError(
            f"Received: edit.feature_weight={ed.feature_weight}, latent_reg={ed.latent_reg}. "
            "Expected values >= 0."
        )
    parse_strengths(ed.strengths)
