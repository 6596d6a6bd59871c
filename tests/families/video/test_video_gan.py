"""VideoGAN: the two-critic step trains, checkpoints and exports; evaluation on clips; the CLI
writes GIFs with T frames and eval/*.json."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
from cli_runner import cli
from video_helpers import tiny_video_config, write_objects_idx

import ganzoo
from ganzoo import train_lib
from ganzoo.checkpoint import RunCheckpoint
from ganzoo.errors import ConfigError
from ganzoo.families.video import evaluator as video_eval
from ganzoo.families.video import models as video_models
from ganzoo.families.video import samples as video_samples
from ganzoo.families.video.gan import VideoGAN


@pytest.fixture(scope="module")
def objects_dir(tmp_path_factory):
    return write_objects_idx(str(tmp_path_factory.mktemp("objects")))


def _weights(model):
    return [np.array(w) for w in model.weights]


def _changed(before, model):
    return any(
        not np.array_equal(a, np.array(b)) for a, b in zip(before, model.weights, strict=True)
    )


def test_steps_train_both_critics_and_a_checkpoint_restores_them(objects_dir, tmp_path):
    config = tiny_video_config(objects_dir, **{"optimizer.d_lr": 2e-3})
    gan = train_lib.build_gan(config)
    assert isinstance(gan, VideoGAN) and gan.latent_dim == 6 + 4 * 2
    real = next(iter(ganzoo.build_dataset(config)))
    g0 = _weights(gan.generator)
    v0, f0 = _weights(gan.video_discriminator), _weights(gan.frame_discriminator)
    for _ in range(25):
        logs = gan.train_on_batch(real, return_dict=True)
    assert all(np.isfinite(v) for v in logs.values())
    for name in ("d_video_loss", "d_frame_loss", "g_video_loss", "g_frame_loss"):
        assert name in logs
    assert _changed(g0, gan.generator) and _changed(v0, gan.video_discriminator)
    assert _changed(f0, gan.frame_discriminator)
    # D learned something: both critics score the real batch above fresh fakes.
    fake = gan.generator(gan.latent_for_seed(4, 3))
    video_logits = gan.video_discriminator(real)
    assert float(tf.reduce_mean(video_logits)) > float(
        tf.reduce_mean(gan.video_discriminator(fake))
    )
    frames = tf.reshape(real, (-1, 16, 16, 1))
    fake_frames = tf.reshape(fake, (-1, 16, 16, 1))
    assert float(tf.reduce_mean(gan.frame_discriminator(frames))) > float(
        tf.reduce_mean(gan.frame_discriminator(fake_frames))
    )
    RunCheckpoint(gan, str(tmp_path)).save()
    other = train_lib.build_gan(config)
    RunCheckpoint(other, str(tmp_path)).restore_latest(required=True)
    np.testing.assert_allclose(other.generate(3, seed=5), gan.generate(3, seed=5), atol=1e-6)
    np.testing.assert_allclose(other.discriminator(fake)[1], gan.discriminator(fake)[1], atol=1e-6)


def test_frame_weight_zero_leaves_the_frame_critic_alone_and_penalties_run(objects_dir):
    config = tiny_video_config(
        objects_dir,
        **{"video.frame_d_weight": 0.0, "stabilizers.penalty": "r1", "model.loss": "hinge"},
    )
    gan = train_lib.build_gan(config)
    real = next(iter(ganzoo.build_dataset(config)))
    f0 = _weights(gan.frame_discriminator)
    logs = gan.train_on_batch(real, return_dict=True)
    assert np.isfinite(logs["d_penalty"]) and logs["d_penalty"] > 0
    # Its loss term has weight 0, but R1 still regularises it on real frames.
    config = tiny_video_config(objects_dir, **{"video.frame_d_weight": 0.0})
    gan = train_lib.build_gan(config)
    f0 = _weights(gan.frame_discriminator)
    gan.train_on_batch(real)
    assert not _changed(f0, gan.frame_discriminator)


def test_sample_frames_picks_frames_of_each_clip(objects_dir):
    gan = train_lib.build_gan(tiny_video_config(objects_dir))
    clips = tf.reshape(tf.range(2 * 4, dtype=tf.float32), (2, 4, 1, 1, 1))
    clips = tf.tile(clips, (1, 1, 16, 16, 1))
    frames = gan.sample_frames(clips).numpy()  # [2 * 2, 16, 16, 1]
    assert frames.shape == (4, 16, 16, 1)
    values = frames[:, 0, 0, 0]
    assert set(values[:2]) <= {0, 1, 2, 3} and set(values[2:]) <= {4, 5, 6, 7}


def test_mismatched_networks_are_refused():
    g = video_models.generator(6, 4, 16, width=4, motion_dim=3, noise_dim=2)
    d = video_models.video_discriminator(4, 16, width=4)
    with pytest.raises(ConfigError, match="sub-models"):
        VideoGAN(g, d, latent_dim=14)
    with pytest.raises(ConfigError, match=r"expected z \[B, 9\]"):
        VideoGAN(g, video_models.discriminator(4, 16, width=4), latent_dim=9)


def test_gif_has_one_frame_per_clip_frame(tmp_path):
    import PIL.Image

    clips = np.random.default_rng(0).uniform(-1, 1, (5, 6, 8, 8, 1)).astype("float32")
    path = video_samples.write_gif(str(tmp_path / "a.gif"), clips, cols=3, frame_ms=50)
    with PIL.Image.open(path) as gif:
        # 8x8 frames are drawn x11 (88 px, images.READABLE_SIDE), 2 px apart.
        assert gif.n_frames == 6 and gif.size == (2 + 3 * 90, 2 + 2 * 90 + 2)
        gif.seek(2)
        frame = np.array(gif.convert("L"))
    np.testing.assert_array_equal(frame[:-2], video_samples.gif_frames(clips, 3)[2][..., 0])
    assert (frame[-2:, :136] == 128).all() and (frame[-2:, 136:] == 255).all()  # 3/6 of 272
    # A still clip keeps its T frames (the time bar differs from frame to frame).
    still = np.zeros((1, 6, 8, 8, 1), np.float32)
    with PIL.Image.open(video_samples.write_gif(str(tmp_path / "s.gif"), still)) as gif:
        assert gif.n_frames == 6
    strip = video_samples.frame_strip(clips)
    assert strip.shape == (2 + 5 * 90, 2 + 6 * 90, 1)


def test_classifier_frames_resize_every_frame():
    clips = np.ones((2, 3, 16, 16, 1), np.float32)
    frames = video_eval.classifier_frames(clips)
    assert frames.shape == (6, 28, 28, 1)
    np.testing.assert_allclose(frames, 1.0, atol=1e-5)


def test_cli_train_sample_eval_export(objects_dir, tmp_path):
    workdir = str(tmp_path / "run")
    config = tiny_video_config(objects_dir, str(tmp_path / "cache"))
    from ganzoo.config import flat_keys

    keys = ("model.", "video.", "train.", "sample.", "health.", "eval.", "data.")
    sets = [f"--set={k}={v}" for k, v in flat_keys(config).items() if k.startswith(keys)]
    args = ["--experiment=video_moving_fashion_mnist", f"--workdir={workdir}", *sets]
    assert cli(*args, "--set=eval.at_end=true") == 0  # the eval callback scores clips too
    with open(os.path.join(workdir, "eval", "best.json"), encoding="utf-8") as f:
        assert json.load(f)["extractor_name"] == "classifier:fashion_mnist"
    with open(os.path.join(workdir, "eval", "reference.json"), encoding="utf-8") as f:
        figures = json.load(f)["figures"]  # the floor and the baseline beside the run's figures
    assert figures["real"]["tracked_share"] > 0.9
    assert figures["marginal"]["fid"] > figures["real"]["fid"]
    samples = os.listdir(os.path.join(workdir, "samples"))
    assert {"step_000002.gif", "step_000002.png"} <= set(samples)
    assert cli(*args, "--mode=sample") == 0
    gif = [f for f in os.listdir(os.path.join(workdir, "samples")) if f.startswith("sample_")]
    gif = os.path.join(workdir, "samples", next(f for f in gif if f.endswith(".gif")))
    import PIL.Image

    with PIL.Image.open(gif) as image:
        assert image.n_frames == 4  # video.frames
    clips = np.load(gif[: -len(".gif")] + ".npy")
    assert clips.shape == (4, 4, 16, 16, 1)
    assert cli(*args, "--mode=eval") == 0
    with open(os.path.join(workdir, "eval", "step_000002.json"), encoding="utf-8") as f:
        result = json.load(f)
    m = result["metrics"]
    assert result["num_frames"] == 12 * 4 and m["fid"] >= 0
    assert 0 <= m["tracked_share"] <= 1 and m["tracked_share_real"] > 0.9
    assert m["frame_diff_real"] > 0
    assert cli(*args, "--mode=eval_real") == 0  # the floor: train clips against test clips
    assert cli(*args, "--mode=export") == 0
    loaded = tf.saved_model.load(os.path.join(workdir, "export", "generator"))
    out = loaded.signatures["serving_default"](z=tf.zeros((2, 14)))["clips"].numpy()
    assert out.shape == (2, 4, 16, 16, 1) and 0.0 <= out.min() and out.max() <= 1.0
