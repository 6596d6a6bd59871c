"""Audio clips for the speech GANs: WAV files read and written, clips resampled, trimmed and
fitted to T samples, and the `wav_folder` and `tfds_audio` sources.

Every source yields float32 [T, 1] clips in [-1, 1] at `audio.sample_rate`: a clip is resampled
(polyphase, scipy), trimmed of leading and trailing silence (samples below
`audio.silence_threshold` of its peak), scaled to a peak of 0.95 (`audio.peak_normalize`), then
centre-padded with zeros or centre-cropped to `audio.length`.
"""

from __future__ import annotations

import math
import os
import wave
import zlib

import numpy as np
import tensorflow as tf
from absl import logging

from ganzoo.data.pipeline import register_source
from ganzoo.errors import ConfigError, DataError
from ganzoo.workdir import atomic_path

# Audio clips [T, 1] for the audio GANs (docs/audio.md): TFDS audio datasets, a folder of WAV
# files, or spoken digits synthesised with espeak-ng.
AUDIO_SOURCES = ("tfds_audio", "wav_folder", "espeak_digits")
WAV_EXTENSIONS = (".wav", ".wave")
PEAK = 0.95
# wav_folder's held-out share: files whose path hashes to 0 mod this are the `test` split.
FOLDER_TEST_EVERY = 10
FOLDER_SPLITS = ("train", "test", "all")
_SHOW = 5


# -- files -------------------------------------------------------------------------------------
def read_wav(path: str) -> tuple[np.ndarray, int]:
    """(mono float32 samples in [-1, 1], sample rate) of a WAV file: integer PCM (8, 16, 24, 32
    bit) or float, channels averaged. DataError naming the file when it cannot be read."""
    from scipy.io import wavfile

    try:
        rate, data = wavfile.read(path)
    except (OSError, ValueError, EOFError) as e:
        raise DataError(
            f"Cannot read WAV file {path!r} ({type(e).__name__}: {e}). Expected a RIFF/WAVE "
            "file with PCM or float samples."
        ) from None
    if data.dtype == np.uint8:  # 8-bit WAV is unsigned, centred on 128
        x = (data.astype(np.float32) - 128.0) / 128.0
    elif np.issubdtype(data.dtype, np.integer):
        x = data.astype(np.float32) / float(2 ** (8 * data.dtype.itemsize - 1))
    else:
        x = data.astype(np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if x.size == 0:
        raise DataError(f"Received: WAV file {path!r} with no samples. Expected a clip.")
    return np.clip(x, -1.0, 1.0), int(rate)


def write_wav(path: str, audio, sample_rate: int) -> str:
    """Writes mono 16-bit PCM (values clipped to [-1, 1]) with the standard `wave` module,
    atomically (a temporary file renamed into place). Returns `path`."""
    x = np.clip(np.asarray(audio, np.float32).reshape(-1), -1.0, 1.0)
    pcm = np.round(x * 32767.0).astype("<i2")
    with atomic_path(path) as tmp, wave.open(tmp, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(int(sample_rate))
        f.writeframes(pcm.tobytes())
    return path


# -- one clip ----------------------------------------------------------------------------------
def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """`x` at `rate_out` Hz: polyphase resampling by rate_out/rate_in in lowest terms (a
    Kaiser-windowed low-pass, scipy.signal.resample_poly)."""
    if rate_in == rate_out:
        return np.asarray(x, np.float32)
    from scipy.signal import resample_poly

    g = math.gcd(int(rate_in), int(rate_out))
    return resample_poly(np.asarray(x, np.float64), rate_out // g, rate_in // g).astype(np.float32)


def trim_silence(x: np.ndarray, threshold: float) -> np.ndarray:
    """`x` without its leading and trailing samples with |x| < threshold * max|x| (unchanged
    when threshold is 0 or the clip is all zeros)."""
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if threshold <= 0 or peak == 0.0:
        return x
    loud = np.flatnonzero(np.abs(x) >= threshold * peak)
    return x[loud[0] : loud[-1] + 1]


def fit_length(x: np.ndarray, length: int) -> np.ndarray:
    """`x` centre-padded with zeros, or centre-cropped, to exactly `length` samples."""
    n = len(x)
    if n >= length:
        start = (n - length) // 2
        return x[start : start + length]
    before = (length - n) // 2
    return np.pad(x, (before, length - n - before))


def prepare_clip(x: np.ndarray, rate: int, audio) -> np.ndarray:
    """A raw mono clip at `rate` Hz -> float32 [audio.length, 1] in [-1, 1] (see the module
    docstring for the steps)."""
    x = resample(np.asarray(x, np.float32), rate, audio.sample_rate)
    x = trim_silence(x, audio.silence_threshold)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if audio.peak_normalize and peak > 0:
        x = x * (PEAK / peak)
    x = fit_length(np.clip(x, -1.0, 1.0), audio.length)
    return x.astype(np.float32)[:, None]


def clips_dataset(clips, labels, with_labels: bool, what: str) -> tf.data.Dataset:
    """An unbatched dataset of [T, 1] clips (and int32 labels when `with_labels`)."""
    if not len(clips):
        raise DataError(f"Received: {what} with no clips. Expected at least one.")
    x = np.stack(clips).astype(np.float32)
    if with_labels:
        return tf.data.Dataset.from_tensor_slices((x, np.asarray(labels, np.int32)))
    return tf.data.Dataset.from_tensor_slices(x)


# -- a folder of WAV files ---------------------------------------------------------------------
def find_wavs(directory: str) -> list[str]:
    """Sorted paths of the .wav files under `directory` (recursive, case-insensitive)."""
    if not os.path.isdir(directory):
        raise DataError(
            f"WAV folder {directory!r} does not exist or is not a folder. Expected a folder of "
            ".wav files (in class subfolders for labels): --set data.dir=/path/to/wavs"
        )
    paths = []
    for root, dirs, files in os.walk(directory, followlinks=True):
        dirs.sort()  # a stable order: same labels and splits on every machine
        paths += [
            os.path.join(root, f) for f in sorted(files) if f.lower().endswith(WAV_EXTENSIONS)
        ]
    if not paths:
        raise DataError(f"No .wav file in {directory} (searched recursively). Expected WAV files.")
    return paths


def folder_split(directory: str, paths: list[str], split: str) -> list[str]:
    """The paths of `split`: `test` is the files whose relative path's CRC32 is 0 mod
    FOLDER_TEST_EVERY (about 10%, stable as files are added), `train` the others, `all` every one."""
    if split not in FOLDER_SPLITS:
        raise ConfigError(
            f"Received: data.split={split!r} for a WAV folder. Expected one of "
            f"{', '.join(FOLDER_SPLITS)} (test = ~1 in {FOLDER_TEST_EVERY} files, by path hash)."
        )
    if split == "all":
        return paths

    def is_test(path):
        rel = os.path.relpath(path, directory).replace(os.sep, "/")
        return zlib.crc32(rel.encode()) % FOLDER_TEST_EVERY == 0

    chosen = [p for p in paths if is_test(p) == (split == "test")]
    if not chosen:
        raise DataError(
            f"Received: a WAV folder {directory} whose {split!r} split is empty ({len(paths)} "
            f"file(s); test takes ~1 in {FOLDER_TEST_EVERY} by path hash). Expected more files, "
            "or --set data.split=all."
        )
    return chosen


def folder_labels(directory: str, paths: list[str]) -> list[int]:
    """Each path's label: the index of its first-level subfolder among the sorted class names
    of every file in the folder (so train and test agree)."""
    every = find_wavs(directory)
    parts = {p: os.path.relpath(p, directory).split(os.sep) for p in every}
    loose = [p for p in every if len(parts[p]) == 1]
    if loose:
        raise DataError(
            f"Labels were asked for, but {len(loose)} WAV file(s) in {directory} lie outside any "
            f"class subfolder (e.g. {', '.join(os.path.basename(p) for p in loose[:_SHOW])}). "
            f"Expected {directory}/<class>/<clip>.wav."
        )
    names = sorted({parts[p][0] for p in every})
    return [names.index(parts[p][0]) for p in paths]


def load_wav_folder(
    directory: str, audio, *, split: str = "train", with_labels: bool = False, limit: int = 0
) -> tf.data.Dataset:
    """The clips of a folder's `split` as [T, 1] float32 (see `prepare_clip`), int32 labels from
    class subfolders when `with_labels`. Unreadable files are logged and skipped; a folder with
    no readable file raises DataError."""
    paths = folder_split(directory, find_wavs(directory), split)
    if limit:
        paths = paths[:limit]
    labels = folder_labels(directory, paths) if with_labels else [0] * len(paths)
    clips, kept, bad = [], [], []
    for path, label in zip(paths, labels, strict=True):
        try:
            x, rate = read_wav(path)
        except DataError as e:
            bad.append(str(e))
            continue
        clips.append(prepare_clip(x, rate, audio))
        kept.append(label)
    if bad:
        logging.warning("Skipping %d unreadable WAV file(s): %s", len(bad), " | ".join(bad[:_SHOW]))
    if not clips:
        raise DataError(
            f"No readable WAV file in {directory} (split {split!r}): {len(bad)} of {len(paths)} "
            f"failed, e.g. {bad[0] if bad else 'none'}."
        )
    return clips_dataset(clips, kept, with_labels, f"WAV folder {directory}")


# -- TFDS audio datasets -----------------------------------------------------------------------
def to_float(x: np.ndarray) -> np.ndarray:
    """TFDS waveforms (int16/int64 PCM values, or floats) as float32 in [-1, 1]."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / 32768.0
    return np.clip(x.astype(np.float32), -1.0, 1.0)


def load_tfds_audio(config, with_labels: bool) -> tf.data.Dataset:
    """Clips of a TFDS audio dataset (`speech_commands`, `spoken_digit`, ...): data.name,
    data.split, the waveform in feature `audio.audio_key`, the label in data.label_key; each
    clip resampled from the feature's sample rate and fitted as `prepare_clip` does."""
    import tensorflow_datasets as tfds

    from ganzoo.data import tfds as tfds_lib

    data, audio = config.data, config.audio
    builder = tfds_lib.dataset_builder(data.name, data.data_dir)
    feature = tfds_lib.typed_feature(
        builder, data.name, audio.audio_key, "audio.audio_key", tfds.features.Audio
    )
    if with_labels:
        tfds_lib.named_feature(builder, data.label_key, "data.label_key")
    rate = int(feature.sample_rate or audio.sample_rate)
    tfds_lib.prepare(builder, data.name, data.data_dir, data.download)
    ds = tfds_lib.read_split(
        builder,
        data.name,
        data.split,
        "data.split",
        shuffle_files=True,
        read_config=tfds.ReadConfig(shuffle_seed=config.seed),
    )

    def prepare(wave_tensor):
        def fn(x):
            return prepare_clip(to_float(x), rate, audio)

        clip = tf.numpy_function(fn, [wave_tensor], tf.float32, stateful=False)
        return tf.ensure_shape(clip, [audio.length, 1])

    key, label_key = audio.audio_key, data.label_key
    if with_labels:
        return ds.map(
            lambda ex: (prepare(ex[key]), tf.cast(ex[label_key], tf.int32)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return ds.map(lambda ex: prepare(ex[key]), num_parallel_calls=tf.data.AUTOTUNE)


def example_shape(config) -> tuple[int, int]:
    return (config.audio.length, 1)


def _wav_folder_source(config, with_labels: bool) -> tf.data.Dataset:
    data = config.data
    return load_wav_folder(
        data.dir, config.audio, split=data.split, with_labels=with_labels, limit=data.max_examples
    )


# Audio (docs/audio.md): model-ready [T, 1] clips (espeak_digits registers its own).
register_source("tfds_audio", load_tfds_audio, example_shape)
register_source("wav_folder", _wav_folder_source, example_shape)
