"""End to end: train -> resume -> sample -> export, on tfds.testing.mock_data and synthetic data."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from clean_serving import serve_without_ganzoo

import ganzoo
from ganzoo import train_lib
from ganzoo.checkpoint import RunCheckpoint
from ganzoo.errors import CheckpointError, TrainingError, WorkdirError
from ganzoo.workdir import Workdir

TINY_MNIST = {
    "model.width": 4,
    "model.latent_dim": 8,
    "train.batch_size": 8,
    "train.log_every": 2,
    "train.sample_every": 2,
    "train.checkpoint_every": 2,
    "sample.num": 16,
    "sample.cols": 4,
    "data.shuffle_buffer": 32,
}


def mnist_config(steps):
    return ganzoo.get_experiment("mnist_dcgan", {**TINY_MNIST, "train.steps": steps})


def optimizer_state(gan):
    return [v.numpy().copy() for v in gan.d_optimizer.variables + gan.g_optimizer.variables]


def test_train_resume_sample_export_on_mock_mnist(tmp_path, capsys):
    workdir = str(tmp_path / "run")
    with tfds.testing.mock_data(num_examples=64):
        gan = train_lib.train(mnist_config(4), workdir)
        state_at_4 = optimizer_state(gan)
        weights_at_4 = [w.numpy().copy() for w in gan.generator.weights]
        wd = Workdir(workdir)
        assert json.load(open(wd.config_path))["train"]["steps"] == 4
        assert sorted(os.listdir(wd.samples_dir)) == ["step_000002.png", "step_000004.png"]
        grid = tf.io.decode_png(open(os.path.join(wd.samples_dir, "step_000004.png"), "rb").read())
        assert grid.shape == (2 + 4 * 86, 2 + 4 * 86, 1)  # 4x4 digits of 28 px, drawn 84 px
        assert os.listdir(wd.tensorboard_dir)
        out = capsys.readouterr().out
        assert "step 4/4" in out and "img/s" in out and "ETA" in out

        # Resume: a fresh GAN restored from the checkpoint continues at step 4, optimizer intact.
        resumed = train_lib.build_gan(mnist_config(6))
        ckpt = RunCheckpoint(resumed, wd.checkpoint_dir)
        assert ckpt.restore_latest() == 4
        for a, b in zip(optimizer_state(resumed), state_at_4, strict=True):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(resumed.generator.weights, weights_at_4, strict=True):
            np.testing.assert_array_equal(a.numpy(), b)

        train_lib.train(mnist_config(6), workdir)
        assert "Resuming mnist_dcgan at step 4 of 6" in capsys.readouterr().out
        assert (
            RunCheckpoint(train_lib.build_gan(mnist_config(6)), wd.checkpoint_dir).restore_latest()
            == 6
        )

        # A finished run is not retrained.
        train_lib.train(mnist_config(6), workdir)
        assert "already at step 6" in capsys.readouterr().out

    # Sampling and export need no data set.
    out = train_lib.sample(workdir, num=10, seed=3)
    samples = np.load(out["npy"])
    assert samples.shape == (10, 28, 28, 1) and out["step"] == 6
    assert samples.min() >= -1 and samples.max() <= 1 and os.path.exists(out["png"])
    again = np.load(train_lib.sample(workdir, num=10, seed=3)["npy"])
    np.testing.assert_array_equal(samples, again)

    paths = train_lib.export(workdir)
    z = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    exported = serve_without_ganzoo(paths["saved_model"], tmp_path, z=z)
    _, gan, _ = train_lib.load_run(workdir)
    want = (gan.generator(z, training=False).numpy() + 1) / 2
    assert exported.shape == (3, 28, 28, 1) and exported.min() >= 0 and exported.max() <= 1
    np.testing.assert_allclose(exported, want, atol=1e-5)

    import keras

    reloaded = keras.models.load_model(paths["keras"])
    np.testing.assert_allclose(reloaded(z), gan.generator(z, training=False), atol=1e-5)


def test_mismatched_checkpoint_is_refused_and_kept(tiny_synthetic_config, tmp_path):
    workdir = str(tmp_path / "run")
    train_lib.train(tiny_synthetic_config, workdir)
    before = sorted(os.listdir(Workdir(workdir).checkpoint_dir))
    wider = ganzoo.apply_overrides(tiny_synthetic_config, {"model.width": 32})
    with pytest.raises(WorkdirError, match=r"holds a different run \(model.width: 16 -> 32\)"):
        train_lib.train(ganzoo.validate(wider), workdir)
    with pytest.raises(CheckpointError, match="does not match this model"):
        train_lib.load_run(workdir, ganzoo.validate(wider))
    assert sorted(os.listdir(Workdir(workdir).checkpoint_dir)) == before


def test_corrupt_checkpoint_gives_a_clear_error(tiny_synthetic_config, tmp_path):
    workdir = str(tmp_path / "run")
    train_lib.train(tiny_synthetic_config, workdir)
    ckdir = Workdir(workdir).checkpoint_dir
    for data in [f for f in os.listdir(ckdir) if ".data" in f]:  # ckpt-10 and ckpt-20
        with open(os.path.join(ckdir, data), "r+b") as f:
            f.truncate(10)
    with pytest.raises(CheckpointError, match=r"None of the 2 checkpoints .* can be read"):
        train_lib.load_run(workdir)
    gan = train_lib.build_gan(tiny_synthetic_config)
    with pytest.raises(CheckpointError, match=r"ckpt-20' cannot be read \(IndexError"):
        RunCheckpoint(gan, ckdir).restore(os.path.join(ckdir, "ckpt-20"))


def test_sample_without_checkpoint(tiny_synthetic_config, tmp_path):
    with pytest.raises(CheckpointError, match="No checkpoint"):
        train_lib.sample(str(tmp_path), config=tiny_synthetic_config)


def test_unwritable_workdir(tiny_synthetic_config, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(WorkdirError, match="Cannot write to workdir"):
        train_lib.train(tiny_synthetic_config, str(blocker / "run"))
    assert blocker.read_text() == "not a folder"


def test_url_workdir_is_refused_before_anything_is_written(
    tiny_synthetic_config, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # without the check, gs://b/run would become ./gs:/b/run
    with pytest.raises(WorkdirError, match=r"gs://b/run.*a URL.*mounted"):
        train_lib.train(tiny_synthetic_config, "gs://b/run")
    assert list(tmp_path.iterdir()) == []


def poisoned_after(clean_batches, config):
    """The synthetic pipeline with NaN batches from `clean_batches` on (a non-finite injection)."""
    from ganzoo import data as data_lib

    clean = data_lib.build_dataset(config)
    nan = tf.data.Dataset.from_tensors(tf.fill([config.train.batch_size, 2], np.nan)).repeat()
    return clean.take(clean_batches).concatenate(nan)


def one_bad_batch_at(index, config):
    """The synthetic pipeline with batch `index` replaced by an inf batch, then clean again."""
    from ganzoo import data as data_lib

    clean = data_lib.build_dataset(config)
    bad = tf.data.Dataset.from_tensors(tf.fill([config.train.batch_size, 2], np.inf))
    return clean.take(index).concatenate(bad).concatenate(clean)


def test_non_finite_rolls_back_then_stops_and_keeps_the_last_good_checkpoint(
    tiny_synthetic_config, tmp_path, monkeypatch, capsys
):
    workdir = str(tmp_path / "run")
    train_lib.train(tiny_synthetic_config, workdir)
    good = sorted(os.listdir(Workdir(workdir).checkpoint_dir))
    monkeypatch.setattr(train_lib, "build_dataset", lambda c: poisoned_after(0, c))
    longer = ganzoo.validate(
        ganzoo.apply_overrides(tiny_synthetic_config, {"train.steps": 40, "train.max_rollbacks": 2})
    )
    with pytest.raises(
        TrainingError,
        match=r"Non-finite d_loss, .*d_grad_norm.* \(nan\) at step 21, after 2 rollback",
    ):
        train_lib.train(longer, workdir)
    out = capsys.readouterr().out
    assert (
        out.count("rolled back to step 20") == 2
        and "learning rates now d 0.0001, g 0.0001" in out
        and "now d 5e-05, g 5e-05" in out
    )
    assert sorted(os.listdir(Workdir(workdir).checkpoint_dir)) == good
    _, gan, step = train_lib.load_run(workdir)
    assert step == 20 and all(np.isfinite(w.numpy()).all() for w in gan.generator.weights)


def test_skip_data_remedy_gets_past_a_bad_batch(
    tiny_synthetic_config, tmp_path, monkeypatch, capsys
):
    # Batch 13 (step 14) is poisoned: roll back to step 10, skip the 4 batches, finish.
    monkeypatch.setattr(train_lib, "build_dataset", lambda c: one_bad_batch_at(13, c))
    config = ganzoo.validate(
        ganzoo.apply_overrides(tiny_synthetic_config, {"train.nonfinite_remedy": "skip_data"})
    )
    gan = train_lib.train(config, str(tmp_path / "run"))
    out = capsys.readouterr().out
    assert "at step 14: rolled back to step 10" in out and "skipping the 4 batch(es)" in out
    assert int(gan.g_optimizer.iterations) == 20
    assert all(np.isfinite(w.numpy()).all() for w in gan.generator.weights)
    ckpt = RunCheckpoint(train_lib.build_gan(config), Workdir(str(tmp_path / "run")).checkpoint_dir)
    assert ckpt.restore_latest() == 20 and ckpt.data_position == 24 and int(ckpt.rollbacks) == 1


def test_synthetic_samples_are_points(tiny_synthetic_config, tmp_path):
    workdir = str(tmp_path / "run")
    train_lib.train(tiny_synthetic_config, workdir)
    out = train_lib.sample(workdir, num=100)
    assert np.load(out["npy"]).shape == (100, 2)
    assert tf.io.decode_png(open(out["png"], "rb").read()).shape[-1] == 3


def test_fit_reads_the_data_without_the_autotune_model(
    tiny_synthetic_config, tmp_path, monkeypatch
):
    # With tf.data's autotuning model on, fit's return can wait for the model thread's next
    # wake-up (up to 60 s; benchmarks/fit_end_stall.py): training turns it off, data as before.
    seen = []
    fit = ganzoo.GAN.fit

    def spy(self, x=None, **kwargs):
        seen.append(x.options().autotune.enabled)
        return fit(self, x, **kwargs)

    monkeypatch.setattr(ganzoo.GAN, "fit", spy)
    train_lib.train(tiny_synthetic_config, str(tmp_path / "run"))
    assert seen == [False]
    assert train_lib.build_dataset(tiny_synthetic_config).options().autotune.enabled is not False
