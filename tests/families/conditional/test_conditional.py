"""ConditionalGAN: losses by hand, the step, class-conditional sampling, label errors, learning
on ring8, and train -> sample -> export -> eval with labels."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from clean_serving import serve_without_ganzoo

import ganzoo
from ganzoo import eval_lib, train_lib
from ganzoo.config import apply_overrides, base_config
from ganzoo.data import mode_centers
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate
from ganzoo.families.conditional import gan as conditional
from ganzoo.families.conditional.gan import ConditionalGAN, acgan_class_losses
from ganzoo.families.conditional.models import build_conditional_models


def ring8_config(kind="concat", **overrides):
    c = base_config()
    c.name = "tiny_ring8_cgan"
    c.data.update(source="synthetic", name="ring8", synthetic_size=4096, shuffle_buffer=4096)
    c.model.update(arch="mlp", latent_dim=4, width=64, depth=2, num_classes=8)
    c.model.conditioning = kind
    c.optimizer.update(d_lr=1e-3, g_lr=1e-3)
    c.train.update(steps=4, batch_size=128, log_every=2, sample_every=2, checkpoint_every=2)
    c.sample.num = 64
    return validate(apply_overrides(c, overrides))


def softmax_ce(logits, labels):
    logits = np.asarray(logits, np.float64)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -np.mean(log_p[np.arange(len(labels)), labels])


def test_acgan_class_losses_match_hand_computation():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(2, 6, 4)).astype(np.float32)
    y_real, y_fake = np.array([0, 1, 2, 3, 0, 1]), np.array([3, 3, 2, 1, 0, 0])
    pair = acgan_class_losses(real, fake, y_real, y_fake)
    np.testing.assert_allclose(
        float(pair.d_loss), softmax_ce(real, y_real) + softmax_ce(fake, y_fake), rtol=1e-5
    )
    np.testing.assert_allclose(float(pair.g_loss), softmax_ce(fake, y_fake), rtol=1e-5)


def test_acgan_auxiliary_losses_are_weighted_and_reach_the_class_head():
    gan = train_lib.build_gan(ring8_config("acgan", **{"model.acgan_weight": 0.5}))
    real_heads, fake_heads = (np.eye(8, dtype=np.float32)[[0, 1]] * 3,), (np.zeros((2, 8)),)
    labels = tf.constant([0, 2])
    loss, metrics = gan.discriminator_aux_loss(real_heads, fake_heads, labels, [None, labels])
    want = softmax_ce(real_heads[0], [0, 2]) + np.log(8.0)
    np.testing.assert_allclose(float(loss), 0.5 * want, rtol=1e-5)
    assert float(metrics["d_class_acc"]) == 0.5
    g_loss, _ = gan.generator_aux_loss(fake_heads, labels, [None, labels])
    np.testing.assert_allclose(float(g_loss), 0.5 * np.log(8.0), rtol=1e-5)
    # One step moves the classifier head (its gradient comes from the class loss only).
    head = gan.discriminator.get_layer("class_logits").kernel
    before = head.numpy().copy()
    data = train_lib.build_dataset(ring8_config("acgan"))
    history = gan.fit(data, steps_per_epoch=1, verbose=0)
    assert {"d_class_loss", "g_class_loss", "d_class_acc"} <= set(history.history)
    assert np.abs(head.numpy() - before).max() > 0


@pytest.mark.parametrize("kind", ["concat", "acgan", "projection"])
def test_ring8_class_k_lands_on_mode_k(kind):
    config = ring8_config(kind)
    gan = train_lib.build_gan(config)
    gan.fit(train_lib.build_dataset(config), steps_per_epoch=300, epochs=1, verbose=0)
    labels = np.arange(400) % 8
    points = gan.generate(400, seed=1, labels=labels)
    centers = mode_centers("ring8")
    nearest = np.argmin(((points[:, None] - centers[None]) ** 2).sum(-1), axis=1)
    per_class = [np.mean(nearest[labels == k] == k) for k in range(8)]
    assert min(per_class) > 0.8, per_class


def test_sampling_shapes_and_requested_labels():
    gan = train_lib.build_gan(ring8_config())
    z, labels = gan.latent_for_seed(10, seed=3)
    np.testing.assert_array_equal(labels, np.arange(10) % 8)
    np.testing.assert_array_equal(z, ganzoo.GAN.latent_for_seed(gan, 10, seed=3))
    assert gan.generate(5, labels=[7, 7, 0, 1, 2]).shape == (5, 2)
    # The label changes the sample, and the same (z, label) gives the same sample.
    a = gan.generate(2, seed=1, labels=[3, 3])
    np.testing.assert_array_equal(a, gan.generate(2, seed=1, labels=[3, 3]))
    assert not np.allclose(a, gan.generate(2, seed=1, labels=[4, 4]))
    samples, labels = gan.class_grid([2, 5, 5], cols=4, seed=0)
    assert samples.shape == (12, 2)
    np.testing.assert_array_equal(labels, [2] * 4 + [5] * 8)
    np.testing.assert_array_equal(samples[4:8], samples[8:12])  # same z down the columns

    config = ring8_config(**{"sample.labels": "1,6"})
    points, labels = conditional.conditional_samples(gan, config, num=7, seed=0)
    assert points.shape == (7, 2)
    np.testing.assert_array_equal(labels, [1, 6, 1, 6, 1, 6, 1])


def test_out_of_range_labels_give_clear_errors():
    gan = train_lib.build_gan(ring8_config())
    with pytest.raises(ValueError, match=r"Received: labels \[8, 9\] out of range.*\[0, 8\)"):
        gan.generate(3, labels=[0, 8, 9])
    with pytest.raises(ValueError, match=r"Received: labels of shape \(2,\).*shape \[3\]"):
        gan.generate(3, labels=[0, 1])
    with pytest.raises(ValueError, match="dtype float"):
        gan.generate(2, labels=[0.5, 1.0])
    with pytest.raises(ConfigError, match=r"sample.labels='-1'.*Expected class indices in"):
        ring8_config(**{"sample.labels": "-1"})
    # Data labels beyond model.num_classes stop training with a message, not silently.
    bad = tf.data.Dataset.from_tensors((tf.zeros([2, 2]), tf.constant([1, 9])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="set model.num_classes"):
        next(iter(conditional.check_dataset_labels(bad, 8)))
    with pytest.raises(ConfigError, match="Received a batch without labels"):
        data = tf.data.Dataset.from_tensors(tf.zeros([4, 2])).repeat()
        gan.fit(data, steps_per_epoch=1, verbose=0)


def test_network_mismatch_is_refused():
    config = ring8_config("acgan")
    g, d = build_conditional_models(config.model, (2,))
    with pytest.raises(ConfigError, match="expected \\[x, labels\\] -> logits"):
        ConditionalGAN(g, d, 4, 8, conditioning="projection")
    with pytest.raises(ConfigError, match="num_classes=1"):
        ConditionalGAN(g, d, 4, 1, conditioning="acgan")


@pytest.mark.parametrize(
    "kind, stabilizers",
    [
        ("concat", {"penalty": "wgan_gp", "ema_decay": 0.9, "diff_augment": "translation"}),
        ("acgan", {"penalty": "r1", "penalty_interval": 2, "instance_noise_std": 0.1}),
        ("projection", {"penalty": "dragan", "clip_weights": 0.5, "label_smoothing": 0.1}),
    ],
)
def test_image_models_train_with_stabilizers(kind, stabilizers):
    c = base_config()
    c.model.update(arch="dcgan", width=4, latent_dim=8, num_classes=3, conditioning=kind)
    c.stabilizers.update(stabilizers)
    config = validate(c)
    gan = train_lib.build_gan(config)
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    data = tf.data.Dataset.from_tensors((images, np.array([0, 1, 2, 0], np.int32))).repeat()
    history = gan.fit(data, steps_per_epoch=2, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values()), history
    assert "d_penalty" in history
    assert gan.generate(3, labels=[2, 1, 0]).shape == (3, 28, 28, 1)


def test_xla_step_and_keras_file_round_trip(tmp_path):
    config = ring8_config("acgan", **{"train.jit_compile": "true", "stabilizers.ema_decay": 0.5})
    gan = train_lib.build_gan(config)
    count = len(gan.variables)
    gan.fit(train_lib.build_dataset(config), steps_per_epoch=2, verbose=0)
    assert len(gan.variables) == count  # nothing created inside train_step
    path = str(tmp_path / "cgan.keras")
    gan.save(path)
    again = keras.models.load_model(path)
    assert isinstance(again, ConditionalGAN) and again.conditioning == "acgan"
    assert again.num_classes == 8 and again.ema_generator is not None and again.compiled
    np.testing.assert_allclose(
        again.generate(6, seed=2, labels=[0, 1, 2, 3, 4, 5]),
        gan.generate(6, seed=2, labels=[0, 1, 2, 3, 4, 5]),
        atol=1e-6,
    )


def test_train_resume_sample_export_eval_on_ring8(tmp_path):
    workdir = str(tmp_path / "run")
    config = ring8_config("projection", **{"stabilizers.ema_decay": 0.9, "eval.num_samples": 200})
    train_lib.train(config, workdir)
    gan = train_lib.train(ganzoo.apply_overrides(config, {"train.steps": 6}), workdir)
    assert int(gan.g_optimizer.iterations) == 6

    out = train_lib.sample(workdir, config=ring8_config("projection", **{"sample.labels": "3,5"}))
    points, labels = np.load(out["npy"]), np.load(out["labels"])
    assert points.shape == (64, 2) and set(labels) == {3, 5} and os.path.exists(out["png"])

    result = eval_lib.evaluate_run(workdir, config=config, stream=open(os.devnull, "w"))
    assert result["extractor"] == "modes" and "num_modes" in result["metrics"]

    paths = train_lib.export(workdir)
    z = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    labels = np.array([0, 4, 7], np.int32)
    checks = """
        args = fn.structured_input_signature[1]
        assert sorted(args) == ["labels", "z"], args
        assert args["labels"].dtype == tf.int32 and args["labels"].shape.as_list() == [None]
        try:
            fn(z=tf.zeros([1, 4]), labels=tf.constant([8]))
            raise SystemExit("out-of-range label accepted")
        except tf.errors.InvalidArgumentError as e:
            assert "labels must be class indices in [0, 8)" in str(e)
        """
    exported = serve_without_ganzoo(paths["saved_model"], tmp_path, checks, z=z, labels=labels)
    _, gan, _ = train_lib.load_run(workdir)
    want = gan.sampling_generator([z, labels], training=False).numpy()  # the EMA generator
    np.testing.assert_allclose(exported, want, atol=1e-5)
    reloaded = keras.models.load_model(paths["keras"])
    np.testing.assert_allclose(reloaded([z, labels]).numpy(), want, atol=1e-5)


def test_image_run_samples_one_row_per_class(tmp_path):
    overrides = {
        "data.source": "tfds",
        "data.name": "mnist",
        "model.width": 4,
        "model.latent_dim": 8,
        "train.steps": 2,
        "train.batch_size": 4,
        "train.sample_every": 2,
        "train.checkpoint_every": 2,
        "sample.num": 20,
        "sample.cols": 3,
        "data.shuffle_buffer": 8,
    }
    config = ganzoo.get_experiment("fashion_mnist_acgan", overrides)
    workdir = str(tmp_path / "run")
    with tfds.testing.mock_data(num_examples=16):
        images, labels = next(iter(ganzoo.build_dataset(config)))
        assert images.shape == (4, 28, 28, 1) and labels.dtype == tf.int32
        train_lib.train(config, workdir)
    out = train_lib.sample(workdir)  # sample.labels '' = all: 10 rows of 3
    assert np.load(out["npy"]).shape == (30, 28, 28, 1) and out["num"] == 30
    np.testing.assert_array_equal(np.load(out["labels"]), np.repeat(np.arange(10), 3))
    png = tf.io.decode_png(tf.io.read_file(out["png"])).numpy()
    assert png.shape[:2] == (10 * 86 + 2, 3 * 86 + 2)  # 28x28 digits drawn x3 (84 px)
    chosen = ganzoo.apply_overrides(config, {"sample.labels": "9,0"})
    out = train_lib.sample(workdir, config=chosen)
    np.testing.assert_array_equal(np.load(out["labels"]), [9, 9, 9, 0, 0, 0])
    z = np.zeros((2, 8), np.float32)
    forward = eval_lib.generator_function(train_lib.load_run(workdir)[1].sampling_generator, 8, 10)
    assert forward(tf.constant(z)).shape == (2, 28, 28, 1)
