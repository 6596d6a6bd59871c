"""WaveGAN: phase shuffle against numpy, G/D shapes, `.keras` round trips, config errors, and
the WGAN-GP penalty on rank-3 (audio) inputs."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import penalties
from ganzoo.errors import ConfigError
from ganzoo.families.audio import models as wavegan


def reference_shuffle(x, shifts, n):
    """Independent numpy phase shuffle: y[b, t] = reflect_pad(x[b])[t + n - s_b]."""
    out = np.empty_like(x)
    for b, s in enumerate(shifts):
        padded = np.pad(x[b], ((n, n), (0, 0)), mode="reflect")
        out[b] = padded[n - s : n - s + x.shape[1]]
    return out


def test_phase_shuffle_matches_numpy_for_every_shift():
    n = 3
    x = np.random.default_rng(0).normal(size=(2 * n + 1, 11, 2)).astype("float32")
    shifts = np.arange(-n, n + 1)  # every allowed shift once
    layer = wavegan.PhaseShuffle(n)
    got = layer.shift(tf.constant(x), tf.constant(shifts, tf.int32)).numpy()
    np.testing.assert_array_equal(got, reference_shuffle(x, shifts, n))
    # A positive shift delays the signal: y[t] = x[t - s] away from the edges.
    np.testing.assert_array_equal(got[-1, n:], x[-1, :-n])


def test_phase_shuffle_is_random_in_training_identity_otherwise():
    x = tf.constant(np.random.default_rng(1).normal(size=(64, 20, 1)).astype("float32"))
    layer = wavegan.PhaseShuffle(2, seed=0)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x.numpy())
    y = layer(x, training=True).numpy()
    # Recover each example's shift: exactly one s in [-2, 2] reproduces it.
    found = []
    for b in range(len(y)):
        matches = [
            s
            for s in range(-2, 3)
            if np.array_equal(reference_shuffle(x.numpy()[b : b + 1], [s], 2)[0], y[b])
        ]
        assert len(matches) == 1
        found.append(matches[0])
    assert set(found) == {-2, -1, 0, 1, 2}  # 64 draws cover all five shifts
    with pytest.raises(ConfigError, match="radius=-1"):
        wavegan.PhaseShuffle(-1)


@pytest.mark.parametrize("length", [1024, 4096])
def test_generator_and_discriminator_shapes(length):
    g = wavegan.build_generator(length, latent_dim=8, width=4, kernel_size=5)
    d = wavegan.build_discriminator(length, width=4, kernel_size=5)
    audio = g(np.random.default_rng(0).normal(size=(3, 8)).astype("float32"))
    assert audio.shape == (3, length, 1)
    assert float(np.max(np.abs(audio))) <= 1.0
    assert d(audio, training=True).shape == (3, 1)
    shuffles = [layer for layer in d.layers if isinstance(layer, wavegan.PhaseShuffle)]
    assert len(shuffles) == wavegan.num_layers(length) - 1


def test_paper_sizes():
    # The paper's 16384-sample WaveGAN with d = 64: channels 1024 -> 512 -> ... -> 64 -> 1.
    g = wavegan.build_generator(16384, 100, 64)
    assert g.get_layer("project").output.shape[-1] == 16 * 1024
    assert [g.get_layer(f"upconv{i}").filters for i in range(5)] == [512, 256, 128, 64, 1]
    d = wavegan.build_discriminator(16384, 64)
    assert [d.get_layer(f"conv{i}").filters for i in range(5)] == [64, 128, 256, 512, 1024]


@pytest.mark.parametrize("length", [1000, 16, 8192])
def test_unsupported_lengths(length):
    with pytest.raises(ConfigError, match=rf"clip length of {length}.*16384"):
        wavegan.build_generator(length, 8, 4)


def test_keras_round_trip(tmp_path):
    g = wavegan.build_generator(1024, 8, 4, kernel_size=5)
    d = wavegan.build_discriminator(1024, 4, kernel_size=5, phase_shuffle=2)
    z = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    x = g(z).numpy()
    for model, inputs in ((g, z), (d, x)):
        path = str(tmp_path / f"{model.name}.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        np.testing.assert_allclose(loaded(inputs).numpy(), model(inputs).numpy(), atol=1e-6)
    layer = keras.models.load_model(str(tmp_path / "wavegan_discriminator.keras")).layers[3]
    assert isinstance(layer, wavegan.PhaseShuffle) and layer.radius == 2


def test_wgan_gp_on_audio_batches_matches_a_hand_computation():
    # D(x) = sum_t w_t x_t: grad_x D = w for every x, so penalty = (||w||_2 - 1)^2 exactly.
    length = 16
    w = np.linspace(-0.5, 0.5, length).astype("float32")[:, None]

    def critic(x):
        return tf.reduce_sum(x * w, axis=[1, 2])[:, None]

    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (4, length, 1)).astype("float32")
    fake = rng.uniform(-1, 1, (4, length, 1)).astype("float32")
    got = float(penalties.wgan_gp(critic, real, fake, seed=keras.random.SeedGenerator(0)))
    assert got == pytest.approx((np.linalg.norm(w) - 1.0) ** 2, rel=1e-5)
