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
        "relativistic_average": (
            -np.mean(np.log(sigmoid(r - f.mean()))) - np.mean(np.log(1 - sigmoid(f - r.mean()))),
            -np.mean(np.log(sigmoid(f - r.mean()))) - np.mean(np.log(1 - sigmoid(r - f.mean()))),
        ),
    }[name]


ALL = ["minimax", "non_saturating", "wasserstein", "least_squares", "hinge", "relativistic_average"]
CROSS_ENTROPY = ["minimax", "non_saturating", "relativistic_average"]


@pytest.mark.parametrize("name", ALL)
def test_loss_matches_hand_computation(name):
    pair = losses.get(name)(tf.constant(REAL), tf.constant(FAKE))
    want_d, want_g = hand(name)
    np.testing.assert_allclose(float(pair.d_loss), want_d, rtol=1e-5)
    np.testing.assert_allclose(float(pair.g_loss), want_g, rtol=1e-5)


@pytest.mark.parametrize("name", CROSS_ENTROPY)
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
    assert set(losses.LOSSES.names()) >= set(ALL)


def test_relativistic_average_hand_values():
    # r = [1, 3] (mean 2), f = [0, 2] (mean 1): r~ = r - 1 = [0, 2], f~ = f - 2 = [-2, 0].
    sp = lambda x: np.log1p(np.exp(x))  # noqa: E731  softplus
    pair = losses.relativistic_average(tf.constant([[1.0], [3.0]]), tf.constant([[0.0], [2.0]]))
    want_d = (sp(-0.0) + sp(-2.0)) / 2 + (sp(-2.0) + sp(0.0)) / 2
    want_g = (sp(2.0) + sp(-0.0)) / 2 + (sp(0.0) + sp(2.0)) / 2
    np.testing.assert_allclose([float(pair.d_loss), float(pair.g_loss)], [want_d, want_g], 1e-6)


def test_relativistic_generator_loss_depends_on_real_logits():
    # Why GAN recomputes D(real) in the generator step for this loss only.
    fake = tf.constant(FAKE)
    a = losses.relativistic_average(tf.constant(REAL), fake).g_loss
    b = losses.relativistic_average(tf.constant(REAL) + 1.0, fake).g_loss
    assert abs(float(a) - float(b)) > 0.1
    assert losses.G_NEEDS_REAL_LOGITS == ("relativistic_average",)
    for name in set(ALL) - set(losses.G_NEEDS_REAL_LOGITS):
        fn = losses.get(name)
        assert float(fn(tf.constant(REAL), fake).g_loss) == float(
            fn(-tf.constant(REAL), fake).g_loss
        )


@pytest.mark.parametrize("name", CROSS_ENTROPY)
def test_one_sided_label_smoothing_matches_hand_computation(name):
    s = 0.1
    r, f = REAL.astype(np.float64), FAKE.astype(np.float64)
    if name == "relativistic_average":
        r = r - f.mean()  # the relativistic real logits; the smoothed target is on them
        f = f - REAL.astype(np.float64).mean()
    want_d = np.mean(-(1 - s) * np.log(sigmoid(r)) - s * np.log(1 - sigmoid(r))) - np.mean(
        np.log(1 - sigmoid(f))
    )
    smoothed = losses.get(name, label_smoothing=s)(tf.constant(REAL), tf.constant(FAKE))
    plain = losses.get(name)(tf.constant(REAL), tf.constant(FAKE))
    np.testing.assert_allclose(float(smoothed.d_loss), want_d, rtol=1e-5)
    # One-sided: the generator's loss and the fake target are unchanged.
    np.testing.assert_allclose(float(smoothed.g_loss), float(plain.g_loss), rtol=1e-6)
    assert losses.get(name, label_smoothing=0.0) is losses.get(name)


@pytest.mark.parametrize("name", ["wasserstein", "least_squares", "hinge"])
def test_label_smoothing_is_refused_for_losses_without_a_cross_entropy_target(name):
    with pytest.raises(ConfigError, match=rf"label_smoothing=0.1 with loss '{name}'"):
        losses.get(name, label_smoothing=0.1)


def test_label_smoothing_out_of_range():
    with pytest.raises(ConfigError, match=r"label_smoothing=1.0. Expected a value in \[0, 1\)"):
        losses.get("non_saturating", label_smoothing=1.0)
