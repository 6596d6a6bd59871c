"""InfoGAN: the mutual-information loss by hand, its fall during a short fit, traversal grids,
serialization, and sample/export through train_lib."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import ganzoo
from ganzoo import train_lib
from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate
from ganzoo.families.infogan.gan import InfoGAN, info_loss
from ganzoo.models.conditional_layers import split_latent


def ring8_config(**overrides):
    c = base_config()
    c.name = "tiny_ring8_infogan"
    c.data.update(source="synthetic", name="ring8", synthetic_size=4096, shuffle_buffer=4096)
    c.model.update(arch="mlp", latent_dim=2, width=64, depth=2)
    c.model.update(info_categorical="4", info_continuous=1)
    c.optimizer.update(d_lr=1e-3, g_lr=1e-3)
    c.train.update(steps=2, batch_size=64, log_every=1, sample_every=2, checkpoint_every=2)
    return validate(apply_overrides(c, overrides))


def test_info_loss_matches_hand_computation():
    rng = np.random.default_rng(0)
    q_a, q_b = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    c_a, c_b = np.array([0, 1, 2, 3, 0]), np.array([2, 2, 1, 0, 1])
    mu, c = rng.normal(size=(5, 2)), rng.uniform(-1, 1, (5, 2))

    def ce(q, labels):
        log_p = q - np.log(np.exp(q).sum(1, keepdims=True))
        return -log_p[np.arange(5), labels].mean()

    got = info_loss([q_a, q_b], mu, [c_a, c_b], c)
    want_cont = np.mean(np.sum(0.5 * (c - mu) ** 2, axis=1))
    np.testing.assert_allclose(float(got.categorical), ce(q_a, c_a) + ce(q_b, c_b), rtol=1e-5)
    np.testing.assert_allclose(float(got.continuous), want_cont, rtol=1e-5)
    np.testing.assert_allclose(float(got.total), float(got.categorical) + want_cont, rtol=1e-5)
    assert float(info_loss([], None, [], None).total) == 0.0


def test_mutual_information_loss_falls_during_a_short_fit():
    config = ring8_config()
    gan = train_lib.build_gan(config)
    assert isinstance(gan, InfoGAN) and gan.latent_dim == 2 + 4 + 1
    data = train_lib.build_dataset(config)
    history = gan.fit(data, steps_per_epoch=50, epochs=3, verbose=0).history
    loss, acc = history["info_loss"], history["info_cat_acc"]
    # At the start Q guesses: log 4 + E[u^2] / 2 = 1.39 + 0.17 for u ~ U(-1, 1).
    assert loss[-1] < 0.5 * loss[0] and loss[-1] < 0.5, loss
    assert acc[-1] > 0.9, acc


def test_traversal_grid_shapes_and_bad_code():
    gan = train_lib.build_gan(ring8_config(**{"model.info_categorical": "4,3"}))
    assert gan.code_names() == ["cat0", "cat1", "cont0"]
    assert gan.traversal("cat0", rows=5).shape == (5, 4, 2)
    assert gan.traversal("cat1", rows=2).shape == (2, 3, 2)
    assert gan.traversal("cont0", rows=3, steps=7, seed=1).shape == (3, 7, 2)
    with pytest.raises(ValueError, match="code='cont1'. Expected one of cat0, cat1, cont0"):
        gan.traversal("cont1")


def test_traversal_latents_hold_everything_but_the_traversed_code():
    gan = train_lib.build_gan(ring8_config(**{"model.info_categorical": "4,3"}))
    for code, cols in (("cat1", 3), ("cont0", 5)):
        z = gan.traversal_latents(code, rows=2, steps=5, seed=1)
        assert z.shape == (2, cols, 2 + 4 + 3 + 1)
        noise, cats, cont = (np.asarray(t) for t in _flat_codes(z))
        moving = {"cat1": cats[..., 1], "cont0": cont[..., 0]}[code]
        fixed = np.concatenate([noise, cats[..., :1], cont if code == "cat1" else cats], axis=-1)
        np.testing.assert_allclose(fixed, fixed[:, :1].repeat(cols, axis=1), atol=1e-5)
        want = [0, 1, 2] if code == "cat1" else np.clip(np.linspace(-1, 1, 5), -0.9999, 0.9999)
        np.testing.assert_allclose(moving, [want, want], atol=1e-4)


def _flat_codes(z):
    rows, cols, width = z.shape
    noise, cats, cont = split_latent(z.reshape(-1, width), 2, (4, 3), 1)
    cats = np.stack([np.asarray(c) for c in cats], axis=-1)
    return (np.asarray(t).reshape(rows, cols, -1) for t in (noise, cats, cont))


def test_keras_file_round_trip_and_errors(tmp_path):
    gan = train_lib.build_gan(ring8_config())
    path = str(tmp_path / "infogan.keras")
    gan.save(path)
    again = keras.models.load_model(path)
    assert isinstance(again, InfoGAN) and again.categorical == (4,) and again.continuous == 1
    np.testing.assert_allclose(again.generate(5, seed=1), gan.generate(5, seed=1), atol=1e-6)
    with pytest.raises(ConfigError, match="Expected z of 8"):
        InfoGAN(gan.generator, gan.discriminator, noise_dim=3, categorical=(4,), continuous=1)


def test_image_run_writes_a_traversal_grid_per_code(tmp_path):
    overrides = {
        "model.width": 4,
        "model.latent_dim": 3,
        "model.info_categorical": "5",
        "model.info_continuous": 2,
        "train.steps": 2,
        "train.batch_size": 4,
        "train.sample_every": 2,
        "train.checkpoint_every": 2,
        "sample.cols": 4,
        "sample.num": 8,
        "data.shuffle_buffer": 8,
    }
    config = ganzoo.get_experiment("mnist_infogan", overrides)
    workdir = str(tmp_path / "run")
    with tfds.testing.mock_data(num_examples=8):
        train_lib.train(config, workdir)
    out = train_lib.sample(workdir)
    assert np.load(out["npy"]).shape == (8, 28, 28, 1)
    assert sorted(out["traversals"]) == ["cat0", "cont0", "cont1"]
    cat = tf.io.decode_png(tf.io.read_file(out["traversals"]["cat0"])).numpy()
    cont = tf.io.decode_png(tf.io.read_file(out["traversals"]["cont1"])).numpy()
    # rows = sample.cols, a column per category; 28 px digits drawn 84 px, 2 px apart
    assert cat.shape[:2] == (4 * 86 + 2, 5 * 86 + 2)
    assert cont.shape[:2] == (4 * 86 + 2, 10 * 86 + 2)  # 10 values from -1 to 1
    paths = train_lib.export(workdir)
    loaded = tf.saved_model.load(paths["saved_model"]).signatures["serving_default"]
    assert sorted(loaded.structured_input_signature[1]) == ["z"]
    assert loaded(z=tf.zeros([2, 3 + 5 + 2]))["images"].shape == (2, 28, 28, 1)
    assert os.path.exists(paths["keras"])
