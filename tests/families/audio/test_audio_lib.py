"""Speech end to end on a tiny WAV folder: WaveGAN trains a few steps with WGAN-GP, writes WAV
samples and TensorBoard audio; the CLI samples WAV files and exports z -> audio; --mode=eval
scores it with the audio domain classifier, checked against an independent numpy computation."""

import json
import os
import wave

import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf
from cli_runner import cli

import ganzoo
from ganzoo import eval_lib, train_lib
from ganzoo.errors import ConfigError
from ganzoo.families.audio import classifier as audio_classifier
from ganzoo.families.audio import data as audio
from ganzoo.families.audio import lib as speech
from ganzoo.metrics.classifier import DomainClassifier

RATE, LENGTH = 8000, 1024
TINY = {
    "model.width": 4,
    "model.latent_dim": 8,
    "model.d_steps": 2,
    "audio.length": LENGTH,
    "audio.sample_rate": RATE,
    "audio.kernel_size": 5,
    "optimizer.d_lr": 1e-3,
    "optimizer.g_lr": 1e-3,
    "train.steps": 6,
    "train.batch_size": 8,
    "train.log_every": 2,
    "train.sample_every": 6,
    "train.checkpoint_every": 6,
    "sample.num": 3,
    "data.shuffle_buffer": 64,
    "eval.num_samples": 40,
    "eval.batch_size": 64,
    "eval.classifier_epochs": 2,
}


def write_tone_folder(root, per_class=40):
    """Three classes of noisy tones (300, 900, 2000 Hz), 0.1 s at 8 kHz."""
    rng = np.random.default_rng(0)
    t = np.arange(800) / RATE
    for label, freq in (("low", 300), ("mid", 900), ("high", 2000)):
        for i in range(per_class):
            x = 0.5 * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.3))
            audio.write_wav(
                str(root / label / f"{i:02d}.wav"), x + rng.normal(0, 0.02, len(t)), RATE
            )
    return str(root)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(config, workdir) of a tiny audio_folder_wavegan run trained for 6 steps."""
    root = tmp_path_factory.mktemp("speech")
    sets = {
        **TINY,
        "data.dir": write_tone_folder(root / "wavs"),
        "eval.cache_dir": str(root / "cache"),
    }
    config = ganzoo.get_experiment("audio_folder_wavegan", sets)
    workdir = str(root / "run")
    train_lib.train(config, workdir)
    return config, workdir


def test_wavegan_trains_with_wgan_gp_and_writes_audio_samples(run):
    config, workdir = run
    logs = [json.loads(line) for line in open(os.path.join(workdir, "train_log.jsonl"))]
    assert [r["step"] for r in logs] == [2, 4, 6]
    assert all(np.isfinite(r[k]) for r in logs for k in ("d_loss", "g_loss", "d_penalty"))
    # The critic learns to separate real clips from the generator's: W-loss falls below 0.
    assert logs[-1]["d_loss"] < logs[0]["d_loss"] and logs[-1]["d_loss"] < 0
    with wave.open(os.path.join(workdir, "samples", "step_000006.wav")) as f:
        gap = int(speech.STRIP_GAP_S * RATE)
        assert (f.getframerate(), f.getsampwidth()) == (RATE, 2)
        assert f.getnframes() == 3 * LENGTH + 2 * gap  # sample.num clips end to end
    events = tf.compat.v1.train.summary_iterator(
        os.path.join(workdir, "tensorboard", os.listdir(os.path.join(workdir, "tensorboard"))[0])
    )
    tags = {v.tag for e in events for v in e.summary.value}
    assert "samples" in tags and "train/d_penalty" in tags


def test_cli_sample_writes_valid_16_bit_wavs_and_export_gives_audio(run, tmp_path, capsys):
    config, workdir = run
    assert cli("--mode=sample", f"--workdir={workdir}") == 0
    assert "_all.wav" in capsys.readouterr().out
    wavs = sorted(p for p in os.listdir(os.path.join(workdir, "samples")) if "seed0_n3_0" in p)
    assert len(wavs) == 3
    expected = np.load(os.path.join(workdir, "samples", "sample_step000006_seed0_n3.npy"))
    for i, name in enumerate(wavs):
        with wave.open(os.path.join(workdir, "samples", name)) as f:
            assert (f.getnchannels(), f.getsampwidth(), f.getframerate()) == (1, 2, RATE)
            pcm = np.frombuffer(f.readframes(f.getnframes()), "<i2")
        np.testing.assert_allclose(pcm / 32767.0, expected[i, :, 0], atol=1.0 / 32767 + 1e-6)

    assert cli("--mode=export", f"--workdir={workdir}") == 0
    loaded = tf.saved_model.load(os.path.join(workdir, "export", "generator"))
    out = loaded.signatures["serving_default"](z=tf.zeros([2, 8]))
    assert list(out) == ["audio"] and out["audio"].shape == (2, LENGTH, 1)
    assert float(tf.reduce_max(tf.abs(out["audio"]))) <= 1.0


def reference_score(logits, splits=10):
    """Independent numpy IS: per split exp(mean_x KL(p(y|x) || p(y))), then the mean."""
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        scores.append(np.exp(np.mean(np.sum(part * (np.log(part) - np.log(marginal)), axis=1))))
    return float(np.mean(scores))


def reference_fd(a, b):
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(s_a @ s_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a + s_b - 2 * root))


def test_cli_eval_scores_with_the_audio_classifier_like_numpy(run, capsys):
    config, workdir = run
    assert cli("--mode=eval", f"--workdir={workdir}") == 0
    assert "Training the wav_folder domain classifier" in capsys.readouterr().out
    result = json.load(open(os.path.join(workdir, "eval", "step_000006.json")))
    assert result["extractor"] == "classifier"
    assert result["extractor_name"] == "classifier:wav_folder"
    directory = os.path.join(config.eval.cache_dir, "classifiers", speech.classifier_name(config))
    classifier = DomainClassifier(directory)
    assert classifier.input_shape == (LENGTH, 1)

    gan = train_lib.load_run(workdir)[1]
    z = np.random.default_rng(config.eval.seed).standard_normal((40, 8)).astype("float32")
    fake_features, fake_logits = classifier(gan.generator(z, training=False).numpy())
    real = np.concatenate(list(eval_lib.real_batches(config, "test", 40, 64)))
    real_features, _ = classifier(real)
    m = result["metrics"]
    assert result["fake_count"] == 40 and result["real_count"] == len(real) >= 6
    assert m["score"] == pytest.approx(reference_score(fake_logits), rel=1e-4)
    assert m["fid"] == pytest.approx(reference_fd(real_features, fake_features), rel=1e-3, abs=1e-4)


def test_log_mel_layer_against_numpy():
    rate = 8000
    x = np.random.default_rng(0).normal(0, 0.3, (2, 1024, 1)).astype("float32")
    layer = audio_classifier.LogMelSpectrogram(rate, num_mel_bins=16)
    got = layer(x).numpy()
    n, hop = layer.frame_length, layer.frame_step
    assert (n, hop) == (256, 64) and got.shape == (2, 1 + (1024 - n) // hop, 16, 1)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)  # periodic Hann, as tf.signal
    frames = np.stack([x[:, i * hop : i * hop + n, 0] for i in range(got.shape[1])], axis=1)
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    expected = np.log(power @ layer.mel.numpy() + audio_classifier.LOG_OFFSET)
    np.testing.assert_allclose(got[..., 0], expected, rtol=1e-3, atol=1e-3)


def test_audio_config_errors():
    with pytest.raises(ConfigError, match="audio.length=2048"):
        ganzoo.get_experiment("speech_digits_wavegan", {"audio.length": 2048})
    with pytest.raises(ConfigError, match="eval.extractor='inception' for audio"):
        ganzoo.get_experiment("speech_digits_wavegan", {"eval.extractor": "inception"})
    with pytest.raises(ConfigError, match="model.arch='wavegan' with data.source='tfds'"):
        ganzoo.get_experiment("mnist_dcgan", {"model.arch": "wavegan"})
