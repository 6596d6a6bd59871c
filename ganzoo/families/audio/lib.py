"""Speech GANs' glue: the `audio` config section's validation, and audio samples as WAV files
and TensorBoard audio (docs/audio.md). Data lives in `ganzoo.families.audio.data` / `espeak_digits`,
WaveGAN in `ganzoo.families.audio.models`, the domain classifier in `ganzoo.families.audio.classifier`.
"""

from __future__ import annotations

import os

import numpy as np

from ganzoo.config import Config
from ganzoo.errors import ConfigError
from ganzoo.families.audio.data import AUDIO_SOURCES

AUDIO_ARCHS = ("wavegan",)
# Clip lengths WaveGAN builds: 16 samples upsampled k times by 4.
WAVEGAN_LENGTHS = (1024, 4096, 16384, 65536)
# Silence between the clips of a strip WAV (seconds).
STRIP_GAP_S = 0.25
TENSORBOARD_CLIPS = 8


def is_audio(config: Config) -> bool:
    """Whether `config` trains on audio clips (data.source is an audio source)."""
    return config.data.source in AUDIO_SOURCES


def check_config(config: Config) -> None:
    """ConfigError for audio settings that cannot work; builds nothing."""
    audio, arch = config.audio, config.model.arch
    if not is_audio(config):
        if arch in AUDIO_ARCHS:
            raise ConfigError(
                f"Received: model.arch={arch!r} with data.source={config.data.source!r}. "
                f"Expected an audio source ({', '.join(AUDIO_SOURCES)}): {arch} generates clips."
            )
        return
    if arch not in AUDIO_ARCHS:
        raise ConfigError(
            f"Received: model.arch={arch!r} with data.source={config.data.source!r}. Expected "
            f"an audio model ({', '.join(AUDIO_ARCHS)})."
        )
    if arch == "wavegan" and audio.length not in WAVEGAN_LENGTHS:
        raise ConfigError(
            f"Received: audio.length={audio.length}. Expected one of "
            f"{', '.join(map(str, WAVEGAN_LENGTHS))} (WaveGAN upsamples 16 samples by 4 per layer)."
        )
    if audio.sample_rate < 1000:
        raise ConfigError(
            f"Received: audio.sample_rate={audio.sample_rate}. Expected a rate in Hz, >= 1000."
        )
    if not 0.0 <= audio.silence_threshold < 1.0:
        raise ConfigError(
            f"Received: audio.silence_threshold={audio.silence_threshold}. Expected [0, 1)."
        )
    if audio.espeak_variants < 0 or audio.phase_shuffle < 0 or audio.kernel_size < 1:
        raise ConfigError(
            f"Received: audio.espeak_variants={audio.espeak_variants}, audio.phase_shuffle="
            f"{audio.phase_shuffle}, audio.kernel_size={audio.kernel_size}. Expected >= 0, >= 0 "
            "and >= 1."
        )
    if config.data.source == "wav_folder" and not config.data.dir:
        raise ConfigError(
            "Received: data.dir=''. data.source=wav_folder needs a folder of WAV files: "
            "--set data.dir=/path/to/wavs"
        )
    if config.eval.extractor not in ("auto", "classifier"):
        raise ConfigError(
            f"Received: eval.extractor={config.eval.extractor!r} for audio. Expected auto or "
            "classifier (the audio domain classifier; Inception takes images)."
        )


def model_config(config: Config) -> Config:
    """config.model with the audio section's WaveGAN options (kernel_size, phase_shuffle)
    added, for `ganzoo.models.build_models`."""
    out = Config(config.model.to_dict())
    out.kernel_size = config.audio.kernel_size
    out.phase_shuffle = config.audio.phase_shuffle
    return out


def classifier_name(config: Config) -> str:
    """The cache name of the audio domain classifier: dataset, clip length and rate (a
    classifier is only valid for the clips it was trained on)."""
    name = f"{config.data.name}-T{config.audio.length}-sr{config.audio.sample_rate}"
    if config.data.source == "espeak_digits":
        name += f"-v{config.audio.espeak_variants}"
    return name


def strip(clips: np.ndarray, sample_rate: int) -> np.ndarray:
    """Clips [N, T, 1] laid end to end with STRIP_GAP_S of silence between them, [M]."""
    gap = np.zeros(int(STRIP_GAP_S * sample_rate), np.float32)
    parts = []
    for clip in np.asarray(clips, np.float32).reshape(len(clips), -1):
        parts += [clip, gap]
    return np.concatenate(parts[:-1]) if parts else np.zeros(0, np.float32)


def write_training_samples(writer, samples_dir: str, step: int, samples, sample_rate: int) -> str:
    """samples/step_XXXXXX.wav (the first TENSORBOARD_CLIPS clips end to end) and
    tf.summary.audio of those clips; returns the WAV's path."""
    import tensorflow as tf

    from ganzoo.families.audio.data import write_wav

    clips = np.clip(np.asarray(samples[:TENSORBOARD_CLIPS], np.float32), -1.0, 1.0)
    path = os.path.join(samples_dir, f"step_{step:06d}.wav")
    write_wav(path, strip(clips, sample_rate), sample_rate)
    with writer.as_default(step=step):
        tf.summary.audio("samples", clips, sample_rate, max_outputs=TENSORBOARD_CLIPS)
    writer.flush()
    return path


def write_sample_files(stem: str, samples, sample_rate: int) -> dict:
    """`--mode=sample`'s files: one 16-bit PCM WAV per clip (`stem`_NNN.wav) and all of them end
    to end (`stem`_all.wav)."""
    from ganzoo.families.audio.data import write_wav

    samples = np.clip(np.asarray(samples, np.float32), -1.0, 1.0)
    paths = []
    for i, clip in enumerate(samples):
        paths.append(f"{stem}_{i:03d}.wav")
        write_wav(paths[-1], clip, sample_rate)
    write_wav(stem + "_all.wav", strip(samples, sample_rate), sample_rate)
    return {"wavs": paths, "wav": stem + "_all.wav"}
