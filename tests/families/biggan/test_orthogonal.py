"""BigGAN's orthogonal regulariser: hand-computed values, its gradient, which kernels it uses."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.families.biggan.orthogonal import as_matrix, orthogonal_penalty, regularized_kernels


def test_penalty_by_hand():
    # W = [[1, 2], [3, 4]]: W^T W = [[10, 14], [14, 20]]; off-diagonal squares 2 * 14^2 = 392.
    w = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    assert float(orthogonal_penalty([w], beta=1e-4)) == pytest.approx(392e-4, rel=1e-6)
    assert float(orthogonal_penalty([w], beta=1.0)) == pytest.approx(392.0, rel=1e-6)


def test_penalty_sums_kernels_and_reshapes_convs_like_numpy():
    rng = np.random.default_rng(0)
    conv = rng.normal(size=(3, 3, 4, 5)).astype(np.float32)  # [kh, kw, in, out]
    dense = rng.normal(size=(6, 2)).astype(np.float32)
    expected = 0.0
    for k in (conv, dense):
        w = k.reshape(-1, k.shape[-1]).astype(np.float64)
        gram = w.T @ w
        expected += np.sum((gram * (1.0 - np.eye(gram.shape[0]))) ** 2)
    got = float(orthogonal_penalty([conv, dense], beta=1e-4))
    assert got == pytest.approx(1e-4 * expected, rel=1e-5)
    assert tuple(as_matrix(conv).shape) == (36, 5)


def test_orthonormal_columns_and_empty_list_cost_nothing():
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(8, 4)))
    # Columns of any norm, as long as they are orthogonal: the diagonal is not penalised.
    assert float(orthogonal_penalty([q * 3.0], beta=1.0)) == pytest.approx(0.0, abs=1e-8)
    assert float(orthogonal_penalty([], beta=1.0)) == 0.0


def test_gradient_is_4_beta_w_offdiag_gram():
    w = tf.Variable(np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32))
    with tf.GradientTape() as tape:
        value = orthogonal_penalty([w], beta=0.5)
    grad = tape.gradient(value, w).numpy()
    x = w.numpy().astype(np.float64)
    off = x.T @ x * (1.0 - np.eye(3))
    np.testing.assert_allclose(grad, 4 * 0.5 * x @ off, rtol=1e-4)


def test_negative_beta_is_refused():
    with pytest.raises(ValueError, match=r"Received: beta=-1.*Expected beta >= 0"):
        orthogonal_penalty([np.eye(2, dtype=np.float32)], beta=-1)


def test_regularized_kernels_skip_embedding_biases_and_norms():
    labels = keras.Input((), dtype="int32")
    x = keras.Input((3,))
    e = keras.layers.Embedding(10, 4, name="shared_embedding")(labels)
    h = keras.layers.Dense(4, name="dense")(keras.layers.Concatenate()([x, e]))
    h = keras.layers.BatchNormalization()(h)
    model = keras.Model([x, labels], h)
    kernels = regularized_kernels(model)
    assert [tuple(k.shape) for k in kernels] == [(7, 4)]
