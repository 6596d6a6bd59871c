import numpy as np
import pytest
import tensorflow as tf

from ganzoo import losses
from ganzoo.errors import ConfigError

REAL = np.array([[2.0], [-1.0], [0.5]], np.float32)
FAKE = np.array([[-3.0], [0.25], [1.5]], np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def hand(name):
    """Each loss written from its paper's formula with probabilities, in float64."""
    r, f = REAL.astype(np.float64), FAKE.astype(np.float64)
    dr, df = sigmoid(r), sigmoid(f)
    bce_d = -np.mean(np.log(dr)) - np.mean(np.log(1 - df))
    return {
        "minimax": (bce_d, np.mean(np.log(1 - df))),
        "non_saturating": (bce_d, -np.mean(np.log(df))),
        "wasserstein": (np.mean(f) - np.mean(r), -np.mean(f)),
        "least_squares": (
            0.5 * np.mean((r - 1) ** 2) + 0.5 * np.mean(f**2),
            0.5 * np.mean((f - 1) ** 2),
        ),
        "hinge": (np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)), -np.mean(f)),
    }[name]


@pytest.mark.parametrize(
    "name", ["minimax", "non_saturating", "wasserstein", "least_squares", "hinge"]
)
def test_loss_matches_hand_computation(name):
    pair = losses.get(name)(tf.constant(REAL), tf.constant(FAKE))
    want_d, want_g = hand(name)
    np.testing.assert_allclose(float(pair.d_loss), want_d, rtol=1e-5)
    np.testing.assert_allclose(float(pair.g_loss), want_g, rtol=1e-5)


@pytest.mark.parametrize("name", ["minimax", "non_saturating"])
def test_cross_entropy_losses_are_finite_at_extreme_logits(name):
    real = tf.constant([[1e4], [-1e4]])
    fake = tf.constant([[-1e4], [1e4]])
    pair = losses.get(name)(real, fake)
    assert np.isfinite(float(pair.d_loss)) and np.isfinite(float(pair.g_loss))
    with tf.GradientTape() as tape:
        tape.watch(fake)
        g = losses.get(name)(real, fake).g_loss
    assert np.all(np.isfinite(tape.gradient(g, fake).numpy()))


def test_minimax_generator_gradient_saturates_where_non_saturating_does_not():
    # The reason both exist: when D rejects fakes confidently, log(1 - D(G(z))) is flat.
    fake = tf.constant([[-8.0]])
    real = tf.constant([[8.0]])
    grads = {}
    for name in ("minimax", "non_saturating"):
        with tf.GradientTape() as tape:
            tape.watch(fake)
            g = losses.get(name)(real, fake).g_loss
        grads[name] = abs(float(tape.gradient(g, fake)[0, 0]))
    assert grads["minimax"] < 1e-3 < 0.9 < grads["non_saturating"]


def test_unknown_loss_names_close_ones():
    with pytest.raises(ConfigError, match="non_saturating"):
        losses.get("non_saturated")


def test_all_registered():
    assert set(losses.LOSSES.names()) >= {
        "minimax",
        "non_saturating",
        "wasserstein",
        "least_squares",
        "hinge",
    }
