"""Spoken digits "zero".."nine" synthesised offline with Debian's espeak-ng: synthetic speech.

A variant is one (voice, voice variant, words per minute, pitch) setting of espeak-ng's formant
synthesiser; each variant speaks the ten digits. The grid (VOICES x VARIANTS x SPEEDS x PITCHES,
432 variants) is shuffled once with a fixed seed and the first `audio.espeak_variants` are used;
every TEST_EVERY-th of those (variants, so speakers/speeds/pitches unseen in training) forms
the `test` split, the others `train`. Clips are written once, at espeak-ng's own rate
(22050 Hz), to <cache>/espeak_digits/<espeak-ng version>/ and reused; synthesis is
deterministic, so the same settings give the same files.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import tensorflow as tf

from ganzoo.data.pipeline import register_source
from ganzoo.errors import ConfigError, DataError, MissingPackageError
from ganzoo.families.audio.data import clips_dataset, example_shape, prepare_clip, read_wav
from ganzoo.workdir import atomic_path

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc")
VARIANTS = ("m1", "m3", "m5", "m7", "f1", "f2", "f3", "f4")
SPEEDS = (130, 165, 200)  # words per minute (espeak-ng -s; its default is 175)
PITCHES = (30, 50, 70)  # 0..99 (espeak-ng -p; its default is 50)
GRID_SEED = 1234  # fixed: the chosen variants and splits do not depend on config.seed
TEST_EVERY = 5
SPLITS = ("train", "test", "all")
WORKERS = 4  # espeak-ng processes at once (each is short and mostly start-up)
BINARY_ENV = "GANZOO_ESPEAK"


def find_espeak() -> str | None:
    """The espeak-ng executable: $GANZOO_ESPEAK when set (None if that path does not exist),
    else espeak-ng on PATH, else None."""
    override = os.environ.get(BINARY_ENV)
    if override:
        return override if os.path.exists(override) else None
    return shutil.which("espeak-ng")


def espeak_binary() -> str:
    """The espeak-ng executable (find_espeak), or MissingPackageError naming espeak-ng."""
    path = find_espeak()
    if not path:
        override = os.environ.get(BINARY_ENV)
        looked = (
            f"${BINARY_ENV}={override!r}, which does not exist"
            if override
            else f"${BINARY_ENV} is unset and espeak-ng is not on PATH"
        )
        raise MissingPackageError(
            f"Received: no espeak-ng executable ({looked}). Expected Debian's speech "
            "synthesiser for the offline spoken-digits set: `apt-get install espeak-ng`, or use "
            "another source (--set data.source=wav_folder --set data.dir=/path/to/wavs, or "
            "tfds_audio).",
            package="espeak-ng",
        )
    return path


def espeak_version(binary: str) -> str:
    """ "espeak-ng-1.51" from `espeak-ng --version` (the cache folder's name)."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    words = out.stdout.split()
    version = words[words.index("text-to-speech:") + 1] if "text-to-speech:" in words else "x"
    return "espeak-ng-" + "".join(c for c in version if c.isalnum() or c in ".-")


def grid() -> list[tuple[str, str, int, int]]:
    """All (voice, variant, speed, pitch) settings, shuffled with GRID_SEED."""
    settings = list(itertools.product(VOICES, VARIANTS, SPEEDS, PITCHES))
    order = np.random.default_rng(GRID_SEED).permutation(len(settings))
    return [settings[i] for i in order]


def split_variants(num_variants: int, split: str) -> list[tuple[str, str, int, int]]:
    """The variants of `split` among the first `num_variants` of `grid()` (0 = all)."""
    if split not in SPLITS:
        raise ConfigError(
            f"Received: data.split={split!r} for espeak_digits. Expected one of "
            f"{', '.join(SPLITS)} (test = every {TEST_EVERY}th variant)."
        )
    chosen = grid()[: num_variants or None]
    if split == "all":
        return chosen
    return [
        v for i, v in enumerate(chosen) if (i % TEST_EVERY == TEST_EVERY - 1) == (split == "test")
    ]


def clip_name(setting: tuple[str, str, int, int], digit: int) -> str:
    voice, variant, speed, pitch = setting
    return f"{voice}+{variant}_s{speed}_p{pitch}_{digit}-{DIGITS[digit]}.wav"


def clip_list(num_variants: int, split: str) -> list[tuple[tuple, int]]:
    """(setting, digit) of every clip of `split`, variant by variant, digits 0..9 in each."""
    return [(s, d) for s in split_variants(num_variants, split) for d in range(len(DIGITS))]


def cache_folder(cache_dir: str, binary: str) -> str:
    from ganzoo.metrics.classifier import cache_root  # the one cache root of ganzoo

    return os.path.join(cache_root(cache_dir), "espeak_digits", espeak_version(binary))


def synthesize(clips: list[tuple[tuple, int]], folder: str, binary: str | None = None) -> list[str]:
    """Paths of the WAVs of `clips` in `folder`, synthesising those not there yet (each
    written to a temporary name and renamed, so an interrupted run leaves no partial file)."""
    binary = binary or espeak_binary()
    os.makedirs(folder, exist_ok=True)
    paths = [os.path.join(folder, clip_name(s, d)) for s, d in clips]

    def one(job):
        (voice, variant, speed, pitch), digit = job[0]
        path = job[1]
        command = [binary, "-v", f"{voice}+{variant}", "-s", str(speed), "-p", str(pitch)]
        # espeak-ng writes the temporary name; it is renamed into place once complete.
        with atomic_path(path, suffix=".wav") as tmp:
            done = subprocess.run(
                [*command, "-w", tmp, DIGITS[digit]], capture_output=True, text=True, timeout=60
            )
            if done.returncode != 0 or not os.path.exists(tmp):
                raise DataError(
                    f"espeak-ng failed ({' '.join(command)} -w {tmp} {DIGITS[digit]}: exit "
                    f"{done.returncode}, {done.stderr.strip()[:200]!r}). Expected a WAV file."
                )

    todo = [(c, p) for c, p in zip(clips, paths, strict=True) if not os.path.exists(p)]
    if todo:
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(one, todo))
    return paths


def load_espeak_digits(config, with_labels: bool) -> tf.data.Dataset:
    """The espeak-ng digits of data.split as [T, 1] clips (labels: the digit), synthesising
    missing clips first. With data.max_examples, only the first that many are read (and made)."""
    clips = clip_list(config.audio.espeak_variants, config.data.split)
    if config.data.max_examples:
        clips = clips[: config.data.max_examples]
    binary = espeak_binary()
    paths = synthesize(clips, cache_folder(config.eval.cache_dir, binary), binary)
    prepared = []
    for path in paths:
        x, rate = read_wav(path)
        prepared.append(prepare_clip(x, rate, config.audio))
    what = f"espeak_digits split {config.data.split!r} (audio.espeak_variants={config.audio.espeak_variants})"
    return clips_dataset(prepared, [d for _, d in clips], with_labels, what)


register_source("espeak_digits", load_espeak_digits, example_shape)
