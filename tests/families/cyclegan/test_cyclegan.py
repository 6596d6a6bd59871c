"""CycleGAN: networks, losses against hand computations, a training step that lowers the cycle
loss, checkpoints, and the sample / export / eval modes on a tiny run of two image folders."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from clean_serving import serve_without_ganzoo
from cli_runner import cli

from ganzoo.checkpoint import RunCheckpoint
from ganzoo.config import apply_overrides, base_config
from ganzoo.data import idx
from ganzoo.errors import ConfigError, DataError
from ganzoo.experiment import validate
from ganzoo.families.cyclegan import data as unpaired
from ganzoo.families.cyclegan import gan as cyclegan
from ganzoo.families.cyclegan import models as models_cyclegan


def test_networks_have_the_right_shapes():
    g = models_cyclegan.resnet_generator(28, 1, width=4, num_blocks=1)
    d = models_cyclegan.patch_discriminator(32, 3, width=4)
    assert g.output_shape == (None, 28, 28, 1)
    assert d.output_shape == (None, 8, 8, 1)  # one logit per patch
    gens, discs = models_cyclegan.build_cyclegan_models(64, 3, 4, 1, 4)
    out = gens([np.zeros((2, 64, 64, 3), "float32")] * 2)
    assert [tuple(o.shape) for o in out] == [(2, 64, 64, 3)] * 2
    assert discs.get_layer("d_b").output_shape == (None, 16, 16, 1)
    assert float(tf.reduce_max(tf.abs(out[0]))) <= 1.0


def test_networks_refuse_sides_they_cannot_halve_twice():
    with pytest.raises(ConfigError, match=r"model.resolution=30.*multiple of 4"):
        models_cyclegan.resnet_generator(30, 1)


@pytest.mark.parametrize("which", ["generators", "discriminators"])
def test_pair_models_round_trip_keras_files(which, tmp_path):
    gens, discs = models_cyclegan.build_cyclegan_models(8, 1, 4, 1, 4)
    model = gens if which == "generators" else discs
    x = [np.random.default_rng(i).normal(size=(2, 8, 8, 1)).astype("float32") for i in (0, 1)]
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path)
    for a, b in zip(again(x), model(x), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert again.get_layer("g_ab" if which == "generators" else "d_a").count_params() > 0


def test_losses_match_hand_computations():
    real, fake = np.array([[1.0, 0.5]]), np.array([[0.0, 2.0]])
    pair = cyclegan.lsgan_patch_losses(real, fake)
    # D: 1/2 (mean((1-1)^2, (0.5-1)^2) + mean(0^2, 2^2)) = 1/2 (0.125 + 2) ; G: mean(1, 1) = 1
    np.testing.assert_allclose(pair.d_loss, 0.5 * (0.125 + 2.0), rtol=1e-6)
    np.testing.assert_allclose(pair.g_loss, 1.0, rtol=1e-6)
    a, cyc_a = np.array([0.0, 1.0]), np.array([0.5, 0.0])  # |diff| mean = 0.75
    b, cyc_b = np.array([[2.0]]), np.array([[-1.0]])  # 3
    np.testing.assert_allclose(cyclegan.cycle_consistency_loss(a, cyc_a, b, cyc_b), 3.75)
    np.testing.assert_allclose(cyclegan.identity_mapping_loss(a, cyc_a, b, cyc_b), 3.75)
    # L_G = adv + lambda cyc + 0.5 lambda idt = 1 + 10 * 2 + 5 * 4
    assert cyclegan.generator_objective(1.0, 2.0, 4.0, 10.0, 0.5) == pytest.approx(41.0)


def _tiny_gan(seed=0):
    gens, discs = models_cyclegan.build_cyclegan_models(8, 1, 4, 1, 4)
    gan = cyclegan.CycleGAN(gens, discs, seed=seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(5e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(5e-3, beta_1=0.5),
    )
    return gan


def test_training_lowers_the_cycle_loss():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    # A: a level plus a ramp (what the 2x2 bottleneck can carry); B: A inverted, unpaired.
    level = rng.uniform(-0.5, 0.5, (64, 1, 1, 1))
    a = level + np.linspace(-0.3, 0.3, 8).reshape(1, 1, 8, 1) + np.zeros((64, 8, 8, 1))
    a = a.astype("float32")
    b = -a[rng.permutation(64)]
    gan = _tiny_gan()

    def cycle():
        fb, fa = gan.translate(a, "a2b"), gan.translate(b, "b2a")
        return float(
            cyclegan.cycle_consistency_loss(
                a, gan.translate(fb, "b2a"), b, gan.translate(fa, "a2b")
            )
        )

    before = cycle()
    ds = tf.data.Dataset.from_tensor_slices((a, b)).repeat().batch(16)
    history = gan.fit(ds, epochs=1, steps_per_epoch=30, verbose=0)
    after = cycle()
    assert after < 0.6 * before, (before, after)
    assert {"cycle_loss", "identity_loss", "d_a_loss", "d_b_loss"} <= set(history.history)
    assert int(gan.g_optimizer.iterations) == 30


def _pull_output_towards(net, level, scale=0.1):
    """Shrinks `net`'s last conv and biases it so that its output sits near `level`."""
    last = net.get_layer("to_image")
    last.kernel.assign(last.kernel * scale)
    last.bias.assign(np.full(last.bias.shape, np.arctanh(level), "float32"))


def test_identity_term_maps_each_domain_through_the_generator_into_it():
    """L_idt = E|F(a) - a| + E|G(b) - b|: G (g_ab) is fed B, F (g_ba) is fed A. The domains
    differ (A near -0.6, B near +0.6) and so do the generators (G outputs near +0.6, F near
    -0.6), so the swapped term E|G(a) - a| + E|F(b) - b| is far from the right one."""
    rng = np.random.default_rng(0)
    a = (-0.6 + 0.1 * rng.standard_normal((4, 8, 8, 1))).astype("float32")
    b = (0.6 + 0.1 * rng.standard_normal((4, 8, 8, 1))).astype("float32")
    gan = _tiny_gan()
    _pull_output_towards(gan.g_ab, 0.6)
    _pull_output_towards(gan.g_ba, -0.6)
    # Before the step (its identity term is computed on these weights); GroupNorm, the only
    # norm, is the same in training and inference.
    g_of_b, f_of_a = gan.translate(b, "a2b"), gan.translate(a, "b2a")
    g_of_a, f_of_b = gan.translate(a, "a2b"), gan.translate(b, "b2a")
    expected = np.mean(np.abs(f_of_a - a)) + np.mean(np.abs(g_of_b - b))
    swapped = np.mean(np.abs(g_of_a - a)) + np.mean(np.abs(f_of_b - b))
    batch = tf.data.Dataset.from_tensors((a, b))
    history = gan.fit(batch, epochs=1, verbose=0, shuffle=False).history
    assert history["identity_loss"][0] == pytest.approx(expected, rel=1e-5)
    assert expected < 0.4 and swapped > 2.0, (expected, swapped)


def test_generate_needs_preview_images_and_translates_them():
    gan = _tiny_gan()
    with pytest.raises(Exception, match="set_preview"):
        gan.generate(2)
    a = np.zeros((3, 8, 8, 1), "float32")
    gan.set_preview(a)
    out = gan.generate(5)  # more than the preview holds: repeated
    np.testing.assert_allclose(out[:3], gan.translate(a, "a2b"), atol=1e-6)
    assert out.shape == (5, 8, 8, 1)
    with pytest.raises(ConfigError, match=r"Expected \[N, 8, 8, 1\]"):
        gan.translate(np.zeros((2, 9, 9, 1)), "a2b")


def test_config_round_trip_rebuilds_the_same_model():
    gan = _tiny_gan()
    again = cyclegan.CycleGAN.from_config(gan.get_config())
    assert again.cycle_weight == 10.0 and again.identity_weight == 0.5
    assert again.generator.count_params() == gan.generator.count_params()


def write_domains(root, n=6, size=12):
    import PIL.Image

    rng = np.random.default_rng(0)
    for domain, value in (("trainA", 40), ("trainB", 210)):
        folder = root / domain
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            pixels = np.clip(rng.normal(value, 20, (size, size)), 0, 255).astype(np.uint8)
            PIL.Image.fromarray(pixels).save(folder / f"{i}.png")
    return str(root)


def tiny_overrides(root):
    return {
        "cyclegan.enabled": True,
        "data.source": "folder",
        "data.dir": root,
        "cyclegan.domain_a_dir": "trainA",
        "cyclegan.domain_b_dir": "trainB",
        "cyclegan.g_width": 4,
        "cyclegan.d_width": 4,
        "cyclegan.res_blocks": 1,
        "model.resolution": 8,
        "model.channels": 1,
        "model.width": 4,
        "train.steps": 3,
        "train.batch_size": 2,
        "train.log_every": 1,
        "train.sample_every": 3,
        "train.checkpoint_every": 3,
        "sample.num": 4,
        "sample.cols": 4,
        "health.diversity_samples": 4,
        "data.shuffle_buffer": 4,
    }


def test_checkpoint_restores_both_generators_and_discriminators(tmp_path):
    from ganzoo import train_lib

    config = validate(apply_overrides(base_config(), tiny_overrides(write_domains(tmp_path))))
    gan = train_lib.build_gan(config)
    ckpt = RunCheckpoint(gan, str(tmp_path / "ckpt"))
    gan.g_ab.layers[1].kernel.assign(gan.g_ab.layers[1].kernel + 1.0)
    gan.d_b.layers[1].kernel.assign(gan.d_b.layers[1].kernel + 1.0)
    ckpt.save()
    fresh = train_lib.build_gan(config)
    RunCheckpoint(fresh, str(tmp_path / "ckpt")).restore_latest(required=True)
    for net in ("g_ab", "g_ba", "d_a", "d_b"):
        for w0, w1 in zip(getattr(gan, net).weights, getattr(fresh, net).weights, strict=True):
            np.testing.assert_array_equal(w0.numpy(), w1.numpy())


def test_cli_train_sample_export_on_two_folders(tmp_path, capsys):
    root = write_domains(tmp_path / "data")
    sets = [f"--set={k}={v}" for k, v in tiny_overrides(root).items()]
    workdir = str(tmp_path / "run")
    args = ["--experiment=image_folder_cyclegan", f"--workdir={workdir}", *sets]
    assert cli(*args) == 0
    log = [json.loads(line) for line in open(os.path.join(workdir, "train_log.jsonl"))]
    assert log[-1]["step"] == 3 and "cycle_loss" in log[-1]
    assert os.path.exists(os.path.join(workdir, "samples", "step_000003.png"))

    assert cli("--mode=sample", f"--workdir={workdir}") == 0
    grids = np.load(os.path.join(workdir, "samples", "translate_step000003_test_n4.npy"))
    assert grids.shape == (6, 4, 8, 8, 1)  # A, G(A), F(G(A)), B, F(B), G(F(B))

    inputs = tmp_path / "data" / "trainB"
    assert cli("--mode=sample", f"--workdir={workdir}", f"--set=sample.inputs={inputs}",
               "--set=cyclegan.direction=b2a") == 0  # fmt: skip
    out_dir = os.path.join(workdir, "samples", "translate_b2a_step000003")
    assert sorted(os.listdir(out_dir))[:2] == ["0_b2a.png", "1_b2a.png"]
    assert np.load(os.path.join(out_dir, "outputs.npy")).shape == (6, 8, 8, 1)

    assert cli("--mode=export", f"--workdir={workdir}") == 0
    x = np.random.default_rng(0).random((3, 8, 8, 1)).astype("float32")
    y = serve_without_ganzoo(os.path.join(workdir, "export", "g_ab"), tmp_path, inputs=x)
    assert y.shape == (3, 8, 8, 1) and 0.0 <= y.min() and y.max() <= 1.0
    net = keras.models.load_model(os.path.join(workdir, "export", "g_ab.keras"))
    np.testing.assert_allclose(y, (net(x * 2 - 1) + 1) / 2, atol=1e-5)
    assert os.path.isdir(os.path.join(workdir, "export", "g_ba"))

    # No domain classifier for folders: --mode=eval says so.
    assert cli("--mode=eval", f"--workdir={workdir}") == 2
    assert "only those have a domain classifier" in capsys.readouterr().err
    # ... and a CycleGAN has no latent space to edit.
    assert cli("--mode=edit", f"--workdir={workdir}") == 2
    assert "has no latent space" in capsys.readouterr().err


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"cyclegan.domain_b_label": 7}, "Expected two different class indices"),
        ({"cyclegan.domain_a_dir": "x"}, "Expected both folders, or neither"),
        ({"eval.every": 100}, "score it after training with --mode=eval"),
        ({"stabilizers.penalty": "r1"}, "stabilizers penalty for a CycleGAN"),
        ({"model.resolution": 30}, "multiple of 4"),
        ({"cyclegan.direction": "ab"}, "Expected a2b or b2a"),
    ],
)
def test_bad_settings_are_refused(overrides, message):
    from ganzoo import train_lib
    from ganzoo.experiment import get_experiment

    with pytest.raises(ConfigError, match=message):
        config = get_experiment("fashion_mnist_cyclegan_sneaker_boot", overrides)
        train_lib.build_gan(config)


def test_a_class_missing_from_the_data_is_a_clear_error(tmp_path):
    rng = np.random.default_rng(0)
    for prefix in ("train", "t10k"):
        idx.write_idx(str(tmp_path / f"{prefix}-images-idx3-ubyte"), rng.integers(0, 255, (6, 28, 28), dtype=np.uint8))  # fmt: skip
        idx.write_idx(str(tmp_path / f"{prefix}-labels-idx1-ubyte"), np.array([0, 1] * 3, np.uint8))  # fmt: skip
    config = validate(
        apply_overrides(
            base_config(),
            {
                "cyclegan.enabled": True,
                "data.source": "idx",
                "data.name": "fashion_mnist",
                "data.dir": str(tmp_path),
                "cyclegan.domain_a_label": 1,
                "cyclegan.domain_b_label": 3,
            },
        )  # fmt: skip
    )
    assert len(list(unpaired.domain_examples(config, "a"))) == 3  # class 1: 3 of the 6
    with pytest.raises(DataError, match=r"empty CycleGAN domain B \(fashion_mnist class 3"):
        unpaired.build_unpaired_dataset(config)
