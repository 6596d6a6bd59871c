import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import losses as losses_lib
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
    assert set(history.history) == {
        "d_loss", "g_loss", "d_real_logit", "d_fake_logit",
        "d_grad_norm", "g_grad_norm", "d_real_acc", "d_fake_acc",
    }  # fmt: skip
    assert np.all(np.abs(before - 3.0) > 2.0)
    np.testing.assert_allclose(after.mean(axis=0), [3.0, 3.0], atol=0.5)
    assert int(gan.d_optimizer.iterations) == 300 and int(gan.g_optimizer.iterations) == 300


def test_discriminator_learns_when_generator_is_frozen():
    gan = make_gan()
    gan.g_optimizer.learning_rate.assign(0.0)
    h = gan.fit(gaussian_data(), steps_per_epoch=100, epochs=2, verbose=0).history
    assert h["d_loss"][1] < h["d_loss"][0] < np.log(4.0) + 0.1
    assert h["d_real_logit"][1] > 0 > h["d_fake_logit"][1]
    # D wins outright against a frozen G: the health metrics say so.
    assert h["d_real_acc"][1] > 0.9 and h["d_fake_acc"][1] > 0.9
    assert h["d_grad_norm"][1] > 0 and h["g_grad_norm"][1] > 0


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


# -- stabilisers -------------------------------------------------------------------------------


def make_stabilized(loss="non_saturating", d_steps=1, seed=0, spectral_norm=False, **options):
    keras.utils.set_random_seed(seed)
    gan = GAN(
        mlp.generator(4, 2, 16, 2),
        mlp.discriminator(2, 16, 2, spectral_norm=spectral_norm),
        4,
        loss,
        d_steps,
        seed,
        **options,
    )
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    return gan


def d_weights(gan):
    return [w.numpy().copy() for w in gan.discriminator.weights]


def test_defaults_keep_the_plain_gan():
    gan = make_gan()
    assert gan.ema_generator is None and gan.sampling_generator is gan.generator
    assert gan.penalty is None and gan.loss_fn is losses_lib.get("non_saturating")
    assert [m.name for m in gan.metrics][:4] == ["d_loss", "g_loss", "d_real_logit", "d_fake_logit"]


def test_relativistic_generator_loss_uses_the_current_discriminator():
    gan = make_stabilized(loss="relativistic_average")
    real = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    fake = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
    stale = np.full((8, 1), 100.0, "float32")  # D-step logits are ignored: D(real) is recomputed
    got = float(gan.generator_loss(tf.constant(real), tf.constant(fake), stale))
    r = gan.discriminator(real).numpy().astype(np.float64)
    f = gan.discriminator(fake).numpy().astype(np.float64)
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    want = -np.mean(np.log(sig(f - r.mean()))) - np.mean(np.log(1 - sig(r - f.mean())))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # The other losses' g_loss never reads real logits: no extra D(real) pass.
    plain = make_stabilized()
    assert float(plain.generator_loss(real, fake, stale)) == float(
        plain.generator_loss(real, fake, -stale)
    )


def test_penalty_changes_the_discriminator_update_and_zero_weight_does_not():
    after = {}
    for name, options in {
        "none": {},
        "zero": dict(penalty="wgan_gp", penalty_weight=0.0),
        "gp": dict(penalty="wgan_gp", penalty_weight=10.0),
        "lazy_r1": dict(penalty="r1", penalty_weight=10.0, penalty_interval=2),
    }.items():
        gan = make_stabilized(**options)
        gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
        gan.fit(gaussian_data(n=256, batch=32), steps_per_epoch=1, epochs=1, verbose=0)
        after[name] = d_weights(gan)
    for a, b in zip(after["none"], after["zero"], strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)
    for name in ("gp", "lazy_r1"):  # step 0 is a lazy penalty's step
        assert any(not np.allclose(a, b) for a, b in zip(after["none"], after[name], strict=True))


@pytest.mark.parametrize("penalty", ["wgan_gp", "dragan", "r1"])
def test_lazy_penalty_runs_every_interval_d_steps(penalty):
    gan = make_stabilized(penalty=penalty, penalty_interval=3, d_steps=1)
    h = gan.fit(gaussian_data(n=256, batch=32), steps_per_epoch=1, epochs=5, verbose=0).history
    values = np.array(h["d_penalty"])
    assert np.all(values[[0, 3]] > 0) and np.all(values[[1, 2, 4]] == 0)
    assert np.isfinite(h["d_loss"]).all()


def test_weight_clipping_bounds_every_discriminator_weight():
    gan = make_stabilized(loss="wasserstein", clip_weights=0.01, d_steps=2)
    gan.fit(gaussian_data(n=256, batch=32), steps_per_epoch=3, epochs=1, verbose=0)
    weights = [w.numpy() for w in gan.discriminator.trainable_weights]
    assert max(np.abs(w).max() for w in weights) == pytest.approx(0.01)  # bound reached, held
    assert all(np.abs(w).max() <= 0.01 for w in weights)


def test_ema_generator_follows_the_hand_computed_average():
    gan = make_stabilized(ema_decay=0.75)
    ema = gan.ema_generator
    assert ema is not gan.generator and not ema.trainable_weights and gan.sampling_generator is ema
    assert [w.shape for w in ema.weights] == [w.shape for w in gan.generator.weights]
    start = [w.numpy().copy() for w in gan.generator.weights]
    gan.fit(gaussian_data(n=256, batch=32), steps_per_epoch=1, epochs=1, verbose=0)
    for e, g0, g1 in zip(ema.weights, start, gan.generator.weights, strict=True):
        np.testing.assert_allclose(e.numpy(), 0.75 * g0 + 0.25 * g1.numpy(), atol=1e-6)
    z = gan.latent_for_seed(4, seed=2)
    np.testing.assert_allclose(gan.generate(4, seed=2), ema(z).numpy(), atol=1e-6)
    assert not np.allclose(gan.generate(4, seed=2), gan.generator(z).numpy())


def test_label_smoothing_changes_d_loss_and_is_refused_for_hinge():
    real, fake = tf.constant([[2.0]]), tf.constant([[-1.0]])
    plain, smooth = make_stabilized(), make_stabilized(label_smoothing=0.2)
    assert float(smooth.loss_fn(real, fake).d_loss) > float(plain.loss_fn(real, fake).d_loss)
    with pytest.raises(ConfigError, match="label_smoothing=0.2 with loss 'hinge'"):
        make_stabilized(loss="hinge", label_smoothing=0.2)


def test_instance_noise_is_annealed_to_zero():
    gan = make_stabilized(instance_noise_std=0.5, instance_noise_steps=4)
    x = tf.zeros((4096, 2))
    np.testing.assert_allclose(np.std(gan.discriminator_inputs(x).numpy()), 0.5, rtol=0.05)
    gan.g_optimizer.iterations.assign(2)
    np.testing.assert_allclose(np.std(gan.discriminator_inputs(x).numpy()), 0.25, rtol=0.05)
    gan.g_optimizer.iterations.assign(4)
    np.testing.assert_array_equal(gan.discriminator_inputs(x).numpy(), 0.0)


def test_option_errors():
    g, d = mlp.generator(4), mlp.discriminator()
    with pytest.raises(ConfigError, match="Did you mean 'r1'"):
        GAN(g, d, 4, penalty="r2")
    with pytest.raises(ConfigError, match="penalty_interval=0"):
        GAN(g, d, 4, penalty="r1", penalty_interval=0)
    with pytest.raises(ConfigError, match=r"ema_decay=1.0. Expected a value in \[0, 1\)"):
        GAN(g, d, 4, ema_decay=1.0)
    with pytest.raises(ConfigError, match="clip_weights=-1"):
        GAN(g, d, 4, clip_weights=-1)
    with pytest.raises(ConfigError, match="instance_noise_steps=0"):
        GAN(g, d, 4, instance_noise_std=0.1, instance_noise_steps=0)


ALL_OPTIONS = dict(
    penalty="r1",
    penalty_weight=1.0,
    penalty_interval=2,
    clip_weights=0.5,
    ema_decay=0.9,
    label_smoothing=0.1,
    instance_noise_std=0.1,
    instance_noise_steps=100,
)


def test_keras_file_round_trip_with_every_option(tmp_path):
    gan = make_stabilized(loss="relativistic_average", spectral_norm=True, **ALL_OPTIONS)
    gan.fit(gaussian_data(n=256, batch=32), steps_per_epoch=2, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    again = keras.models.load_model(path)
    assert {k: getattr(again, k) for k in ALL_OPTIONS} == ALL_OPTIONS
    for a, b in zip(again.ema_generator.weights, gan.ema_generator.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_allclose(again.generate(8, seed=1), gan.generate(8, seed=1), atol=1e-6)
    again.fit(gaussian_data(n=256, batch=32), steps_per_epoch=1, epochs=1, verbose=0)


def test_xla_steps_with_every_stabilizer_and_no_variables_created_in_train_step():
    from ganzoo.models import dcgan

    keras.utils.set_random_seed(0)
    gan = GAN(
        dcgan.generator(8, 16, 1, 4),
        dcgan.discriminator(16, 1, 4, spectral_norm=True, minibatch_std_group=2),
        8,
        "relativistic_average",
        seed=0,
        diff_augment="color,translation,cutout",
        **ALL_OPTIONS,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3),
        g_optimizer=keras.optimizers.Adam(1e-3),
        jit_compile=True,
    )

    def all_variables():
        return [
            v.path for v in gan.variables + gan.d_optimizer.variables + gan.g_optimizer.variables
        ]

    before = all_variables()
    ema_before = [w.numpy().copy() for w in gan.ema_generator.weights]
    x = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
    h = gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(8), epochs=1, verbose=0).history
    assert gan.jit_compile is True and all_variables() == before
    assert all(np.isfinite(v[0]) for v in h.values()) and h["d_penalty"][0] > 0
    assert all(np.abs(w.numpy()).max() <= 0.5 for w in gan.discriminator.trainable_weights)
    assert not np.allclose(gan.ema_generator.weights[0].numpy(), ema_before[0])
