import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import penalties
from ganzoo.errors import ConfigError

RNG = np.random.default_rng(0)
# Image-shaped [B, 2, 2, 1] batches: the gradient norm must run over every non-batch axis.
REAL = RNG.normal(size=(3, 2, 2, 1)).astype(np.float32)
FAKE = RNG.normal(size=(3, 2, 2, 1)).astype(np.float32)
W = np.array([0.5, -1.0, 2.0, 0.25], np.float32).reshape(1, 2, 2, 1)


def linear(x):
    """D(x) = <w, x>: grad_x D = w everywhere."""
    return tf.reduce_sum(W * x, axis=[1, 2, 3])[:, None]


def quadratic(x):
    """D(x) = 1/2 ||x||^2: grad_x D = x."""
    return 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])[:, None]


def per_sample_norm(x):
    return np.sqrt((x.astype(np.float64) ** 2).reshape(len(x), -1).sum(axis=1))


def test_wgan_gp_on_a_linear_critic_is_the_norm_of_its_weights():
    value = penalties.wgan_gp(linear, REAL, FAKE, seed=keras.random.SeedGenerator(0))
    np.testing.assert_allclose(float(value), (np.linalg.norm(W) - 1.0) ** 2, rtol=1e-5)


def test_wgan_gp_on_a_quadratic_critic_matches_hand_computation():
    alpha = np.array([0.0, 0.3, 1.0], np.float32).reshape(3, 1, 1, 1)
    value = penalties.wgan_gp(quadratic, REAL, FAKE, alpha=alpha)
    interpolated = alpha * REAL + (1 - alpha) * FAKE
    want = np.mean((per_sample_norm(interpolated) - 1.0) ** 2)
    np.testing.assert_allclose(float(value), want, rtol=1e-5)


def test_wgan_gp_interpolates_per_sample():
    seen = []

    def recording(x):
        seen.append(x.numpy())
        return linear(x)

    penalties.wgan_gp(recording, REAL, FAKE, seed=keras.random.SeedGenerator(3))
    (x,) = seen
    # Each sample lies on its own real-fake segment, with one alpha for all of its elements.
    alpha = (x - FAKE) / (REAL - FAKE)
    per_sample = alpha.reshape(3, -1)
    np.testing.assert_allclose(per_sample, per_sample[:, :1] * np.ones((1, 4)), atol=1e-4)
    assert np.all((per_sample >= 0) & (per_sample <= 1))
    assert np.ptp(per_sample[:, 0]) > 1e-3  # different samples, different alphas


def test_wgan_gp_gradient_reaches_the_critic_weights():
    # Double backprop: d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||.
    w = tf.Variable(W)
    with tf.GradientTape() as tape:
        value = penalties.wgan_gp(
            lambda x: tf.reduce_sum(w * x, axis=[1, 2, 3])[:, None],
            REAL,
            FAKE,
            seed=keras.random.SeedGenerator(0),
        )
    norm = np.linalg.norm(W)
    np.testing.assert_allclose(tape.gradient(value, w), 2 * (norm - 1) * W / norm, rtol=1e-4)


def test_r1_matches_hand_computation_on_reals_only():
    np.testing.assert_allclose(
        float(penalties.r1(quadratic, REAL, FAKE)), 0.5 * np.mean(per_sample_norm(REAL) ** 2), 1e-5
    )
    np.testing.assert_allclose(float(penalties.r1(linear, REAL)), 0.5 * np.sum(W**2), rtol=1e-5)
    assert float(penalties.r1(quadratic, REAL, FAKE)) == float(penalties.r1(quadratic, REAL, -FAKE))


def test_dragan_matches_hand_computation():
    alpha = np.array([0.2, 0.5, 1.0], np.float32).reshape(3, 1, 1, 1)
    noise = RNG.uniform(size=REAL.shape).astype(np.float32)
    value = penalties.dragan(quadratic, REAL, FAKE, perturb_scale=0.5, alpha=alpha, noise=noise)
    perturbed = REAL + alpha * 0.5 * REAL.std() * noise
    want = np.mean((per_sample_norm(perturbed) - 1.0) ** 2)
    np.testing.assert_allclose(float(value), want, rtol=1e-5)
    drawn = penalties.dragan(linear, REAL, seed=keras.random.SeedGenerator(0))
    np.testing.assert_allclose(float(drawn), (np.linalg.norm(W) - 1.0) ** 2, rtol=1e-5)


def test_dragan_perturbs_around_the_reals_not_the_fakes():
    seen = []

    def recording(x):
        seen.append(x.numpy())
        return linear(x)

    penalties.dragan(recording, REAL, FAKE, perturb_scale=0.5, seed=keras.random.SeedGenerator(1))
    delta = seen[0] - REAL
    assert np.all(delta >= 0) and np.all(delta <= 0.5 * REAL.std() + 1e-6) and delta.max() > 0


def test_lazy_applies_every_interval_steps_scaled_by_interval():
    calls = []

    def penalty():
        calls.append(1)
        return tf.constant(2.0)

    values = [float(penalties.lazy(penalty, tf.constant(s, tf.int64), 3)) for s in range(7)]
    assert values == [6.0, 0.0, 0.0, 6.0, 0.0, 0.0, 6.0]
    assert len(calls) == 3  # skipped steps do not compute it
    assert float(penalties.lazy(penalty, tf.constant(5, tf.int64), 1)) == 2.0


def test_lazy_structures_get_zeros_like():
    pair = penalties.lazy(
        lambda: (tf.constant(1.0), [tf.ones((2, 2))]), tf.constant(1), 2, like=(0.0, [W])
    )
    assert float(pair[0]) == 0.0 and pair[1][0].shape == W.shape and not np.any(pair[1][0])


def test_registry_names_close_ones():
    assert set(penalties.PENALTIES.names()) == {"wgan_gp", "dragan", "r1"}
    with pytest.raises(ConfigError, match="Did you mean 'wgan_gp'"):
        penalties.get("wgan-gp")
