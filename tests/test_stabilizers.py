import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import stabilizers, train_lib
from ganzoo.checkpoint import RunCheckpoint
from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate
from ganzoo.models import dcgan


def test_clone_for_ema_is_a_frozen_copy():
    g = dcgan.generator(4, 16, 1, 4)  # has batch-norm statistics (non-trainable weights)
    ema = stabilizers.clone_for_ema(g)
    assert ema is not g and not ema.trainable_weights and len(ema.weights) == len(g.weights)
    for a, b in zip(ema.weights, g.weights, strict=True):
        assert a is not b
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_ema_update_averages_trainable_weights_and_copies_statistics():
    g = dcgan.generator(4, 16, 1, 4)
    ema = stabilizers.clone_for_ema(g)
    old = [w.numpy().copy() for w in ema.weights]
    for w in g.weights:
        w.assign(w + 1.0)
    stabilizers.ema_update(ema, g, 0.9)
    for e, o, w in zip(ema.weights, old, g.weights, strict=True):
        want = 0.9 * o + 0.1 * w.numpy() if w.trainable else w.numpy()
        np.testing.assert_allclose(e.numpy(), want, atol=1e-6)


def test_clip_weights():
    v = tf.Variable([-3.0, -0.005, 0.0, 0.02])
    stabilizers.clip_weights([v], 0.01)
    np.testing.assert_array_equal(v.numpy(), np.float32([-0.01, -0.005, 0.0, 0.01]))


def test_annealed_std_is_linear_then_zero():
    values = [float(stabilizers.annealed_std(0.2, t, 4)) for t in (0, 1, 2, 4, 10)]
    np.testing.assert_allclose(values, [0.2, 0.15, 0.1, 0.0, 0.0], atol=1e-7)


def test_instance_noise_has_the_annealed_std():
    x = tf.fill((20_000,), 3.0)
    out = stabilizers.instance_noise(x, 0.4, 1, 2, seed=keras.random.SeedGenerator(0)).numpy()
    assert abs(out.mean() - 3.0) < 0.01 and abs(out.std() - 0.2) < 0.01


def tiny(**overrides):
    c = base_config()
    c.data.update(source="synthetic", name="ring8", synthetic_size=512, cache=False)
    c.model.update(arch="mlp", latent_dim=4, width=8, depth=1)
    c.train.update(steps=4, batch_size=16)
    return validate(apply_overrides(c, overrides))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"stabilizers.penalty": "r2"}, "Did you mean 'r1'.*Valid: dragan, none, r1, wgan_gp"),
        ({"stabilizers.penalty_interval": 0}, "penalty_interval=0"),
        ({"stabilizers.penalty_weight": -1.0}, "penalty_weight=-1.0"),
        ({"stabilizers.clip_weights": -0.1}, "clip_weights=-0.1"),
        ({"stabilizers.ema_decay": 1.0}, "ema_decay=1.0"),
        ({"stabilizers.label_smoothing": 0.1, "model.loss": "hinge"}, "loss 'hinge'"),
        ({"stabilizers.diff_augment": "color"}, r"inputs of shape \(None, 2\)"),
        ({"stabilizers.instance_noise_std": 0.1, "stabilizers.instance_noise_steps": 0}, "steps=0"),
        ({"model.minibatch_std_group": 4}, "has no minibatch stddev layer"),
    ],
)
def test_config_validation(overrides, message):
    with pytest.raises(ConfigError, match=message):
        tiny(**overrides)


def test_config_validation_of_image_options():
    c = apply_overrides(base_config(), {"stabilizers.diff_augment": "color,cutout"})
    validate(apply_overrides(c, {"model.minibatch_std_group": 4}))
    with pytest.raises(ConfigError, match="policy 'colour'"):
        validate(apply_overrides(base_config(), {"stabilizers.diff_augment": "colour"}))
    with pytest.raises(ConfigError, match="minibatch_std_group=5, train.batch_size=64"):
        validate(apply_overrides(base_config(), {"model.minibatch_std_group": 5}))


def test_build_gan_passes_every_stabilizer():
    options = {
        "stabilizers.penalty": "dragan",
        "stabilizers.penalty_weight": 5.0,
        "stabilizers.penalty_interval": 4,
        "stabilizers.clip_weights": 0.1,
        "stabilizers.ema_decay": 0.99,
        "stabilizers.label_smoothing": 0.1,
        "stabilizers.instance_noise_std": 0.1,
        "stabilizers.instance_noise_steps": 50,
        "model.spectral_norm": True,
    }
    gan = train_lib.build_gan(tiny(**options))
    want = {
        **base_config().stabilizers.to_dict(),
        **{k.split(".", 1)[1]: v for k, v in options.items() if k.startswith("stabilizers.")},
    }
    assert {key: getattr(gan, key) for key in want} == want
    assert any(type(layer).__name__ == "SpectralNorm" for layer in gan.discriminator.layers)
    assert gan.ema_generator is not None and gan.sampling_generator is gan.ema_generator


def test_checkpoint_saves_and_restores_the_ema_generator(tmp_path):
    config = tiny(**{"stabilizers.ema_decay": 0.5, "model.spectral_norm": True})
    gan = train_lib.build_gan(config)
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(16), epochs=1, verbose=0)
    RunCheckpoint(gan, str(tmp_path)).save()
    fresh = train_lib.build_gan(config)
    assert RunCheckpoint(fresh, str(tmp_path)).restore_latest() == 4
    for a, b in zip(fresh.ema_generator.weights, gan.ema_generator.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(fresh.discriminator.weights, gan.discriminator.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())  # including spectral norm's u
    np.testing.assert_allclose(fresh.generate(8), gan.generate(8), atol=1e-6)


def test_old_config_json_without_the_section_reads_as_off():
    import json

    from ganzoo.config import from_json

    saved = base_config().to_dict()
    del saved["stabilizers"]
    assert from_json(json.dumps(saved)).stabilizers.to_dict() == base_config().stabilizers.to_dict()


def test_training_exports_the_ema_generator(tmp_path):
    config = tiny(**{"stabilizers.ema_decay": 0.5, "train.checkpoint_every": 2})
    workdir = str(tmp_path / "run")
    train_lib.train(config, workdir)
    _, gan, step = train_lib.load_run(workdir)
    assert step == 4 and gan.ema_generator is not None
    paths = train_lib.export(workdir)
    exported = keras.models.load_model(paths["keras"])
    z = gan.latent_for_seed(5)
    np.testing.assert_allclose(exported(z), gan.ema_generator(z), atol=1e-6)
    assert np.abs(exported(z) - gan.generator(z)).max() > 1e-5  # not the raw generator
