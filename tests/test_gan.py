import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.errors import ConfigError
from ganzoo.gan import GAN, resolve_jit_compile
from ganzoo.models import mlp


def make_gan(loss="non_saturating", d_steps=1, seed=0, latent=4, dim=2):
    keras.utils.set_random_seed(seed)
    gan = GAN(
        mlp.generator(latent, dim, 32, 2),
        mlp.discriminator(dim, 32, 2),
        latent,
        loss,
        d_steps,
        seed,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
    )
    return gan


def gaussian_data(mean=3.0, std=0.3, n=4096, dim=2, batch=128):
    x = np.random.default_rng(1).normal(mean, std, (n, dim)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).shuffle(n, seed=0).repeat().batch(batch)


def test_fit_moves_the_generator_onto_the_data():
    gan = make_gan()
    before = gan.generate(512, seed=3).mean(axis=0)
    history = gan.fit(gaussian_data(), steps_per_epoch=300, epochs=1, verbose=0)
    after = gan.generate(512, seed=3)
    assert set(history.history) == {"d_loss", "g_loss", "d_real_logit", "d_fake_logit"}
    assert np.all(np.abs(before - 3.0) > 2.0)
    np.testing.assert_allclose(after.mean(axis=0), [3.0, 3.0], atol=0.5)
    assert int(gan.d_optimizer.iterations) == 300 and int(gan.g_optimizer.iterations) == 300


def test_discriminator_learns_when_generator_is_frozen():
    gan = make_gan()
    gan.g_optimizer.learning_rate.assign(0.0)
    h = gan.fit(gaussian_data(), steps_per_epoch=100, epochs=2, verbose=0).history
    assert h["d_loss"][1] < h["d_loss"][0] < np.log(4.0) + 0.1
    assert h["d_real_logit"][1] > 0 > h["d_fake_logit"][1]


def test_d_steps_counts_updates():
    gan = make_gan(d_steps=3)
    gan.fit(gaussian_data(), steps_per_epoch=4, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 12 and int(gan.g_optimizer.iterations) == 4


def test_accepts_image_label_tuples():
    gan = make_gan()
    x = np.zeros((64, 2), "float32")
    ds = tf.data.Dataset.from_tensor_slices((x, np.zeros(64, "int32"))).batch(16)
    gan.fit(ds, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 4


def test_generate_is_deterministic_in_seed():
    gan = make_gan()
    np.testing.assert_array_equal(gan.generate(10, seed=5), gan.generate(10, seed=5))
    assert not np.allclose(gan.generate(10, seed=5), gan.generate(10, seed=6))


def test_compile_errors():
    gan = GAN(mlp.generator(4), mlp.discriminator(), 4)
    with pytest.raises(ConfigError, match="both optimizers"):
        gan.compile(d_optimizer=keras.optimizers.Adam())
    opt = keras.optimizers.Adam()
    with pytest.raises(ConfigError, match="same optimizer"):
        gan.compile(d_optimizer=opt, g_optimizer=opt)
    with pytest.raises(ConfigError, match="d_steps=0"):
        GAN(mlp.generator(4), mlp.discriminator(), 4, d_steps=0)
    with pytest.raises(ConfigError, match="Did you mean 'hinge'"):
        GAN(mlp.generator(4), mlp.discriminator(), 4, loss="hing")


def test_jit_compile_auto_is_off_on_cpu_only_machines():
    has_accelerator = any(d.device_type in ("GPU", "TPU") for d in tf.config.list_logical_devices())
    assert resolve_jit_compile("auto") is has_accelerator
    assert resolve_jit_compile(True) is True and resolve_jit_compile("false") is False
    with pytest.raises(ConfigError):
        resolve_jit_compile("maybe")


def test_xla_step_matches_eager_semantics():
    gan = make_gan()
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3),
        g_optimizer=keras.optimizers.Adam(1e-3),
        jit_compile=True,
    )
    h = gan.fit(gaussian_data(), steps_per_epoch=5, epochs=1, verbose=0).history
    assert np.isfinite(h["d_loss"][0]) and gan.jit_compile is True


def test_keras_file_round_trip_keeps_weights_and_compile(tmp_path):
    gan = make_gan(loss="hinge", d_steps=2)
    gan.fit(gaussian_data(), steps_per_epoch=3, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    again = keras.models.load_model(path)
    assert isinstance(again, GAN)
    assert (again.loss, again.d_steps, again.latent_dim) == ("hinge", 2, 4)
    np.testing.assert_allclose(again.generate(8, seed=1), gan.generate(8, seed=1), atol=1e-6)
    again.fit(gaussian_data(), steps_per_epoch=2, epochs=1, verbose=0)  # compiled on load


def test_metrics_reset_between_epochs():
    gan = make_gan()
    gan.fit(gaussian_data(), steps_per_epoch=2, epochs=1, verbose=0)
    assert all(int(m.count) == 2 for m in gan.metrics)
    gan.reset_metrics()
    assert all(int(m.count) == 0 for m in gan.metrics)
