"""Adaptive discriminator augmentation (Karras et al. 2020): the update rule of p, its direction
when D overfits or not, the augmentation at p = 0 and p = 1, p in checkpoints and across a
resumed run, under XLA and a mirrored strategy, and the config errors."""

import io
import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import augment, train_lib
from ganzoo.checkpoint import RunCheckpoint
from ganzoo.data import idx
from ganzoo.errors import CheckpointError, ConfigError
from ganzoo.gan import GAN

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPE = (8, 8, 1)
X = np.random.default_rng(0).uniform(-1, 1, size=(6, 8, 8, 3)).astype(np.float32)


# -- the update rule ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "p, rt, images, kimg, want",
    [
        (0.3, 0.8, 256, 100.0, 0.3 + 256 / 100_000),  # r_t above the target: p rises
        (0.3, 0.2, 256, 100.0, 0.3 - 256 / 100_000),  # below: p falls
        (0.3, 0.6, 256, 100.0, 0.3),  # at the target: sign 0, unchanged
        (0.99, 1.0, 64, 0.01, 1.0),  # clipped at 1
        (0.0, -1.0, 64, 0.5, 0.0),  # clipped at 0
    ],
)
def test_ada_adjust_against_a_hand_computation(p, rt, images, kimg, want):
    got = float(augment.ada_adjust(p, rt, 0.6, images, kimg))
    assert got == pytest.approx(want, abs=1e-7)


# -- the augmentation --------------------------------------------------------------------------
def test_p0_is_the_identity_and_p1_changes_every_example():
    x = tf.constant(X)
    seed = keras.random.SeedGenerator(0)
    policy = "color,translation,cutout"
    np.testing.assert_array_equal(augment.adaptive_augment(x, policy, 0.0, seed).numpy(), X)
    out = augment.adaptive_augment(x, policy, 1.0, seed).numpy()
    assert np.all(np.abs(out - X).reshape(len(X), -1).max(axis=1) > 1e-3)


def test_each_example_is_augmented_with_probability_p():
    # cutout zeroes a quarter-area square of uniform(-1, 1) noise: it always changes an image.
    x = tf.constant(np.random.default_rng(1).uniform(-1, 1, (2000, 8, 8, 1)).astype(np.float32))
    out = augment.adaptive_augment(x, ("cutout",), 0.3, keras.random.SeedGenerator(2)).numpy()
    changed = np.any(out != x.numpy(), axis=(1, 2, 3))
    assert changed.mean() == pytest.approx(0.3, abs=0.04)  # 4 standard errors
    unchanged = out[~changed]
    np.testing.assert_array_equal(unchanged, x.numpy()[~changed])


def test_gradients_flow_through_the_augmentation():
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = augment.adaptive_augment(x, "color,translation", 0.5, keras.random.SeedGenerator(0))
        loss = tf.reduce_sum(y**2)
    assert float(tf.reduce_sum(tf.abs(tape.gradient(loss, x)))) > 0


# -- inside GAN's step -------------------------------------------------------------------------
def constant_critic(bias):
    """D(x) = bias for every x: a D that is always positive (or negative) on reals."""
    return keras.Sequential(
        [
            keras.Input(SHAPE),
            keras.layers.Flatten(),
            keras.layers.Dense(
                1, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(bias)
            ),
        ]
    )


def small_generator():
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(64, activation="tanh"), keras.layers.Reshape(SHAPE)]
    )


def ada_gan(bias, jit_compile=False, **kwargs):
    options = dict(ada_target=0.6, ada_interval=4, ada_kimg=1.0, **kwargs)
    gan = GAN(small_generator(), constant_critic(bias), latent_dim=4, seed=0, **options)
    # Learning rate 0: D stays constant, so r_t is known exactly.
    gan.compile(
        d_optimizer=keras.optimizers.SGD(0.0),
        g_optimizer=keras.optimizers.SGD(0.0),
        jit_compile=jit_compile,
    )
    return gan


def reals(steps, batch=16):
    x = np.random.default_rng(0).uniform(-1, 1, (steps * batch, *SHAPE)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices(x).batch(batch)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_p_rises_when_d_is_always_positive_on_reals(jit_compile):
    gan = ada_gan(10.0, jit_compile)
    logs = gan.fit(reals(3), epochs=1, verbose=0).history
    # Three steps: the interval (4) has not ended, p has not moved; the sums hold 3 steps.
    assert logs["ada_p"][-1] == 0.0
    np.testing.assert_array_equal(gan.ada_accumulator.numpy(), [48.0, 48.0, 48.0, 3.0])
    logs = gan.fit(reals(6), epochs=1, verbose=0).history  # steps 4..9: two interval ends
    step = 16 * 4 / (1.0 * 1000)  # images per interval / (1000 kimg)
    assert logs["ada_p"][-1] == pytest.approx(2 * step, abs=1e-6)
    assert logs["ada_rt"][-1] == 1.0
    np.testing.assert_array_equal(gan.ada_accumulator.numpy(), [16.0, 16.0, 16.0, 1.0])


@pytest.mark.parametrize("bias", [-10.0, 0.0])
def test_p_falls_when_d_does_not_overfit(bias):
    gan = ada_gan(bias)
    gan.ada_p.assign(0.5)
    logs = gan.fit(reals(8), epochs=1, verbose=0).history
    assert logs["ada_p"][-1] == pytest.approx(0.5 - 2 * 16 * 4 / 1000, abs=1e-6)
    assert logs["ada_rt"][-1] == np.sign(bias)


def test_packing_counts_every_image():
    # pack=2: D sees 8 pairs per step, but p moves by the 16 images of the batch.
    d = keras.Sequential(
        [
            keras.Input((8, 8, 2)),
            keras.layers.Flatten(),
            keras.layers.Dense(1, bias_initializer=keras.initializers.Constant(10.0)),
        ]
    )
    d.layers[-1].kernel.assign(np.zeros((128, 1), np.float32))
    gan = GAN(small_generator(), d, 4, ada_target=0.6, ada_interval=1, ada_kimg=1.0, pack=2)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    gan.fit(reals(1), epochs=1, verbose=0)
    assert float(gan.ada_p.numpy()) == pytest.approx(16 / 1000, abs=1e-7)


def test_d_inputs_follow_p():
    gan = ada_gan(0.0)
    x = tf.constant(np.random.default_rng(3).uniform(-1, 1, (16, *SHAPE)).astype(np.float32))
    np.testing.assert_array_equal(gan.discriminator_inputs(x).numpy(), x.numpy())  # p = 0
    gan.ada_p.assign(1.0)
    changed = np.abs(gan.discriminator_inputs(x).numpy() - x.numpy()).max(axis=(1, 2, 3))
    assert np.all(changed > 1e-3)


def test_conditional_step_honours_ada():
    from ganzoo.families.conditional.gan import ConditionalGAN

    z, y = keras.Input((4,)), keras.Input((), dtype="int32")
    h = keras.layers.Concatenate()([z, keras.layers.CategoryEncoding(3, "one_hot")(y)])
    g = keras.Model([z, y], keras.layers.Reshape(SHAPE)(keras.layers.Dense(64)(h)))
    x, yd = keras.Input(SHAPE), keras.Input((), dtype="int32")
    flat = keras.layers.Flatten()(x)
    out = keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="ones")(flat)
    d = keras.Model([x, yd], out)
    gan = ConditionalGAN(g, d, 4, num_classes=3, ada_target=0.6, ada_interval=2, ada_kimg=1.0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    images = np.zeros((32, *SHAPE), np.float32)
    labels = np.arange(32) % 3
    gan.fit(tf.data.Dataset.from_tensor_slices((images, labels)).batch(16), epochs=1, verbose=0)
    assert float(gan.ada_p.numpy()) == pytest.approx(32 / 1000, abs=1e-7)


def test_pix2pix_step_honours_ada():
    from ganzoo.families.image_to_image.gan import Pix2Pix
    from ganzoo.families.image_to_image.models import srgan_models

    g, d = srgan_models((8, 8, 1), 16, 1, width=4, scale=2, res_blocks=1)
    gan = Pix2Pix(g, d, task="sr", condition_discriminator=False, ada_target=0.6, ada_kimg=1.0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    rng = np.random.default_rng(0)
    targets = rng.uniform(-1, 1, (16, 16, 16, 1)).astype(np.float32)
    inputs = rng.uniform(-1, 1, (16, 8, 8, 1)).astype(np.float32)
    gan.fit(tf.data.Dataset.from_tensor_slices((targets, inputs)).batch(8), epochs=1, verbose=0)
    signs, logits, images, steps = gan.ada_accumulator.numpy()
    assert (images, steps) == (16.0, 2.0) and logits >= 16 and abs(signs) <= logits


def test_get_config_round_trip():
    gan = ada_gan(1.0)
    again = GAN.from_config(gan.get_config())
    assert (again.ada_target, again.ada_interval, again.ada_kimg, again.ada_policy) == (
        0.6,
        4,
        1.0,
        "color,translation,cutout",
    )
    assert set(again.ada_variables) == {"p", "rt", "accumulator"}
    assert not GAN(small_generator(), constant_critic(1.0), 4).ada_variables  # off by default


# -- checkpoints and resuming ------------------------------------------------------------------
def test_checkpoint_round_trip_restores_the_ada_state_exactly(tmp_path):
    gan = ada_gan(1.0)
    gan.ada_p.assign(0.3712345)
    gan.ada_rt.assign(0.8125)
    gan.ada_accumulator.assign([3.0, 48.0, 48.0, 3.0])
    RunCheckpoint(gan, str(tmp_path)).save()
    fresh = ada_gan(1.0)
    RunCheckpoint(fresh, str(tmp_path)).restore_latest(required=True)
    for name, variable in gan.ada_variables.items():
        np.testing.assert_array_equal(fresh.ada_variables[name].numpy(), variable.numpy(), name)
    # A run trained without ADA cannot be resumed with it (its p was never saved).
    plain = GAN(small_generator(), constant_critic(1.0), 4)
    plain.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    RunCheckpoint(plain, str(tmp_path / "plain")).save()
    with pytest.raises(CheckpointError, match="does not match this model"):
        RunCheckpoint(ada_gan(1.0), str(tmp_path / "plain")).restore_latest()


TINY_MNIST = {
    "model.width": 4,
    "model.latent_dim": 8,
    "train.batch_size": 8,
    "train.log_every": 1,
    "train.sample_every": 100,
    "train.checkpoint_every": 100,
    "train.deterministic": True,
    "sample.num": 4,
    "sample.cols": 2,
    "data.shuffle_buffer": 32,
    "stabilizers.ada_target": 0.6,
    "stabilizers.ada_interval": 4,
    "stabilizers.ada_kimg": 0.2,  # 32 images per interval: p moves by 0.16
}


def log_lines(workdir):
    with open(os.path.join(workdir, "train_log.jsonl"), encoding="utf-8") as f:
        return {r["step"]: r for r in map(json.loads, f)}


def write_idx_images(directory):
    """64 fixed Fashion-MNIST-shaped training images (IDX files): the same in every process, so
    the runs below are too (tfds.testing.mock_data draws different images per process)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(64, 28, 28)).astype(np.uint8)
    idx.write_idx(os.path.join(directory, "train-images-idx3-ubyte.gz"), images)
    idx.write_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"), np.zeros(64, np.uint8))
    return str(directory)


def test_a_resumed_run_continues_with_the_same_p(tmp_path):
    data = write_idx_images(tmp_path)

    def config(steps):
        # D learns 50x faster than usual and the target is low: D overfits the 64 images within
        # 4 steps (r_t 0.6 to 1 on this machine; early logits near 0 give a noisy r_t, and
        # initialisation differs between processes), so p has moved before the interruption.
        sets = {**TINY_MNIST, "data.dir": data, "train.steps": steps, "optimizer.d_lr": 0.01}
        sets["stabilizers.ada_target"] = 0.3
        return ganzoo.get_experiment("fashion_mnist_dcgan", sets)

    straight, resumed = str(tmp_path / "straight"), str(tmp_path / "resumed")
    a = train_lib.train(config(14), straight, stream=(progress := io.StringIO()))
    assert "ada_p 0." in progress.getvalue()  # the progress line shows p
    train_lib.train(config(7), resumed)  # stops mid-interval: 3 steps in the sums
    b = train_lib.train(config(14), resumed)
    la, lb = log_lines(straight), log_lines(resumed)
    assert sorted(la) == sorted(lb) == list(range(1, 15))
    ps = [la[step]["ada_p"] for step in range(1, 15)]
    assert la[7]["ada_p"] > 0, f"p had not moved at the interruption; the test shows little: {ps}"
    for step in range(1, 15):
        for key in ("ada_p", "ada_rt", "d_loss", "g_loss"):
            assert lb[step][key] == pytest.approx(la[step][key], rel=1e-6, abs=1e-7), (key, step)
    for name, variable in a.ada_variables.items():
        np.testing.assert_allclose(b.ada_variables[name].numpy(), variable.numpy(), rtol=1e-6)


# -- a mirrored strategy -----------------------------------------------------------------------
MIRRORED = textwrap.dedent(
    """
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import numpy as np
    from ganzoo.gan import GAN

    def build():
        g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(64, activation="tanh"),
                              keras.layers.Reshape((8, 8, 1))])
        d = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1, kernel_initializer="zeros",
                                                 bias_initializer="ones")])
        gan = GAN(g, d, 4, seed=0, ada_target=0.6, ada_interval=2, ada_kimg=1.0)
        gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
        return gan

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        gan = build()
    x = np.zeros((5 * 16, 8, 8, 1), np.float32)
    logs = gan.fit(x, batch_size=16, epochs=1, verbose=0, shuffle=False).history
    print("RESULT " + json.dumps(dict(
        replicas=strategy.num_replicas_in_sync, p=logs["ada_p"][-1], rt=logs["ada_rt"][-1],
        accumulator=[float(v) for v in gan.ada_accumulator.numpy()])))
    """
)


def test_mirrored_strategy_adjusts_p_from_the_global_batch():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", MIRRORED], capture_output=True, text=True, timeout=300, env=env
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    r = json.loads(lines[-1][len("RESULT ") :])
    assert r["replicas"] == 2
    # 5 steps of a 16-image global batch, interval 2: two adjustments of 32 / 1000 each.
    assert r["p"] == pytest.approx(2 * 32 / 1000, abs=1e-6) and r["rt"] == 1.0
    assert r["accumulator"] == [16.0, 16.0, 16.0, 1.0]


# -- config errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"stabilizers.ada_target": 1.0}, r"ada_target=1.0. Expected 0 \(off\) or a value in"),
        ({"stabilizers.ada_target": -0.2}, "ada_target=-0.2"),
        ({"stabilizers.ada_target": 0.6, "stabilizers.ada_interval": 0}, "ada_interval=0"),
        ({"stabilizers.ada_target": 0.6, "stabilizers.ada_kimg": 0.0}, "ada_kimg=0.0"),
        ({"stabilizers.ada_target": 0.6, "stabilizers.ada_policy": ""}, "Expected transforms"),
        (
            {"stabilizers.ada_target": 0.6, "stabilizers.ada_policy": "colour"},
            "Did you mean 'color'.*stabilizers.ada_policy='colour'",
        ),
        (
            {"stabilizers.ada_target": 0.6, "stabilizers.diff_augment": "color"},
            "Expected one of them",
        ),
    ],
)
def test_config_errors(overrides, message):
    with pytest.raises(ConfigError, match=message):
        ganzoo.validate(ganzoo.apply_overrides(ganzoo.base_config(), overrides))


def test_ada_off_ignores_its_other_keys():
    off = {"stabilizers.ada_interval": 0, "stabilizers.ada_policy": ""}
    ganzoo.validate(ganzoo.apply_overrides(ganzoo.base_config(), off))


def test_non_image_examples_are_refused():
    c = ganzoo.base_config()
    c.data.update(source="synthetic", name="ring8")
    c.model.update(arch="mlp")
    with pytest.raises(ConfigError, match=r"ada_target=0.6 for a image run whose examples have"):
        ganzoo.validate(ganzoo.apply_overrides(c, {"stabilizers.ada_target": 0.6}))
    d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ConfigError, match=r"ada_target=0.6 for discriminator inputs of shape"):
        GAN(g, d, 4, ada_target=0.6)


# One image (or clip, waveform, text) experiment of each built-in family.
FAMILY_EXPERIMENTS = {
    "image": "fashion_mnist_dcgan",
    "conditional": "fashion_mnist_acgan",
    "infogan": "fashion_mnist_infogan",
    "biggan": "imagenet32_biggan",
    "image_to_image": "fashion_mnist_sr4_pix2pix",
    "cyclegan": "fashion_mnist_cyclegan_sneaker_boot",
    "text": "text_chars_gumbel",
    "audio": "speech_digits_wavegan",
    "video": "video_moving_mnist",
}


def test_each_family_honours_or_refuses_ada():
    """Families whose step augments D's inputs through GAN.discriminator_inputs and reports
    real logits through GAN._update_step_metrics take ADA; the others refuse it."""
    from ganzoo.families import BUILTIN
    from ganzoo.family import family_of

    assert sorted(FAMILY_EXPERIMENTS) == sorted(BUILTIN)
    honoured, refused = [], []
    for family, name in sorted(FAMILY_EXPERIMENTS.items()):
        assert family_of(ganzoo.get_experiment(name)).name == family
        try:
            ganzoo.get_experiment(name, {"stabilizers.ada_target": 0.6})
            honoured.append(family)
        except ConfigError as e:
            assert "ada_target=0.6" in str(e), (family, str(e))
            refused.append(family)
    assert honoured == ["biggan", "conditional", "image", "image_to_image", "infogan"]
    assert refused == ["audio", "cyclegan", "text", "video"]
