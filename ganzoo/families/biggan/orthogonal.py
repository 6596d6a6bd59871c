"""BigGAN's orthogonal regularisation (Brock et al. 2019, Sec. 3.1) as a pure function of
weight matrices, and the choice of which generator weights it applies to."""

from __future__ import annotations

import tensorflow as tf


def as_matrix(kernel) -> tf.Tensor:
    """A Dense or Conv kernel [..., fan_in, units] as W [fan_in_total, units] (one column per
    output unit / filter), the matrix whose columns the regulariser decorrelates."""
    kernel = tf.convert_to_tensor(kernel)
    return tf.reshape(kernel, [-1, kernel.shape[-1]])


def orthogonal_penalty(kernels, beta: float = 1e-4) -> tf.Tensor:
    """R_beta = beta * sum_W ||W^T W * (1 - I)||_F^2, the off-diagonal form of BigGAN.

    W runs over `kernels`, each reshaped by `as_matrix` to [fan_in, units]; * is element-wise,
    so only the inner products between different filters are penalised, not their norms
    (Brock et al. 2019, Eq. 3). Returns a float32 scalar (0 for no kernels).
    """
    if beta < 0:
        raise ValueError(f"Received: beta={beta}. Expected beta >= 0.")
    total = tf.constant(0.0, tf.float32)
    for kernel in kernels:
        w = tf.cast(as_matrix(kernel), tf.float32)
        gram = tf.matmul(w, w, transpose_a=True)
        off_diagonal = gram - tf.linalg.diag(tf.linalg.diag_part(gram))
        total += tf.reduce_sum(tf.square(off_diagonal))
    return beta * total


def regularized_kernels(model, skip=("shared_embedding",)) -> list:
    """The trainable Dense/Conv kernels of `model` (nested layers included) that orthogonal
    regularisation applies to: matrices (rank >= 2) named `kernel`, except those under a
    layer named in `skip` (BigGAN leaves the shared class embedding out)."""
    out = []
    for variable in model.trainable_variables:
        path = getattr(variable, "path", variable.name)
        if len(variable.shape) < 2 or not path.rsplit("/", 1)[-1].startswith("kernel"):
            continue
        if any(name in path.split("/") for name in skip):
            continue
        out.append(variable)
    return out
