"""The images of a judging session: fakes from each run's sampling generator (the EMA copy when
there is one), reals from the first run's dataset, upscaled and PNG-encoded, in a seeded order.

Image ids are opaque hashes, so neither the page nor its URLs tell a real from a fake.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os

import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import data as data_lib
from ganzoo import images as images_lib
from ganzoo.errors import ConfigError, GanzooError
from ganzoo.family import family_of

READABLE_PIXELS = 224  # scale=0 upscales by the smallest integer factor reaching this side


@dataclasses.dataclass
class Run:
    """One run being judged: its folder, its name in the answers and the GAN at `step`."""

    path: str
    name: str
    step: int
    gan: object
    config: object

    @property
    def conditional(self) -> bool:
        return family_of(self.config).num_classes(self.config) > 0

    @property
    def ema(self) -> bool:
        return getattr(self.gan, "ema_generator", None) is not None


@dataclasses.dataclass
class Image:
    id: str
    source: str  # real | fake
    run: str | None  # the run a fake came from
    label: int | None  # the class asked for (conditional fakes) or the data's label (reals)
    png: bytes
    pixels: np.ndarray  # uint8 HxWxC before upscaling (for tests and thumbnails)


@dataclasses.dataclass
class Pool:
    images: list[Image]  # in the order shown
    fake_only: bool
    notice: str  # why there are no reals ('' when there are)
    real_split: str | None
    scale: int

    def __post_init__(self):
        self.by_id = {image.id: image for image in self.images}


def run_names(paths: list[str]) -> list[str]:
    """Short unique names for run folders: their base names, or their paths when those clash."""
    paths = [os.path.normpath(p) for p in paths]
    bases = [os.path.basename(p) or p for p in paths]
    if len(set(paths)) != len(paths):
        raise ConfigError(f"Received: --workdir {paths}. Expected each run folder once.")
    return bases if len(set(bases)) == len(bases) else paths


def check_runs(runs: list[Run]) -> None:
    """Runs compared on one page must make images of one shape from one dataset."""
    for run in runs:
        family_of(run.config).check_judge(run.path, run.config)
    first = runs[0]
    shape, name = _shape(first.config), first.config.data.name
    for run in runs[1:]:
        other = _shape(run.config)
        if other != shape or run.config.data.name != name:
            raise ConfigError(
                f"Received: run {run.path!r} of {run.config.data.name} {other} beside "
                f"{first.path!r} of {name} {shape}. Expected runs of one dataset and image "
                "shape: they share the real images."
            )


def _shape(config) -> tuple[int, ...]:
    return family_of(config).example_shape(config)


def image_id(seed: int, source: str, run: str | None, index: int) -> str:
    key = f"{seed}|{source}|{run}|{index}".encode()
    return hashlib.sha256(key).hexdigest()[:12]


def upscale(pixels: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upscaling of an HxWxC uint8 image by an integer factor."""
    return np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)


def resolve_scale(scale: int, shape: tuple[int, ...]) -> int:
    return scale or max(1, math.ceil(READABLE_PIXELS / max(shape[0], shape[1])))


def _png(pixels: np.ndarray, scale: int) -> bytes:
    return tf.io.encode_png(upscale(pixels, scale)).numpy()


def fake_counts(total: int, runs: int) -> list[int]:
    """`total` fakes split over `runs` as evenly as integers allow (the first get the rest)."""
    share, rest = divmod(total, runs)
    return [share + (i < rest) for i in range(runs)]


def generate_fakes(run: Run, num: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """`num` images in [-1, 1] from the run's sampling generator (GAN.generate uses the EMA
    copy when enabled); for a conditional run, classes i mod num_classes and those labels."""
    if run.conditional:
        labels = np.arange(num, dtype=np.int32) % run.gan.num_classes
        return run.gan.generate(num, seed=seed, labels=labels), labels
    return run.gan.generate(num, seed=seed), None


def load_reals(config, splits: list[str], num: int, seed: int, with_labels: bool):
    """(images in [-1, 1], labels or None, split, '') from the first split that has data, drawn
    at random (seeded); (None, None, None, why) when none has."""
    problems = []
    for split in splits:
        overrides = {
            "data.split": split,
            "data.shuffle_buffer": 10_000,
            "data.cache": False,
            "data.max_examples": 0,
            "train.batch_size": 1,
            "seed": seed,
        }
        cfg = config_lib.apply_overrides(config, overrides)
        try:
            ds = data_lib.build_dataset(cfg, with_labels=with_labels, repeat=False).unbatch()
            batch = next(iter(ds.take(num).batch(num)), None)
        except (GanzooError, tf.errors.OpError, OSError, ValueError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            problems.append(f"split {split!r}: {first[:300]}")
            continue
        if batch is None:
            problems.append(f"split {split!r}: no examples")
            continue
        if with_labels:
            x, labels = batch
            return x.numpy(), labels.numpy().astype(np.int64), split, ""
        return batch.numpy(), None, split, ""
    return None, None, None, "; ".join(problems)


FAKE_ONLY = (
    "Fake-only mode: every image shown is generated, and the score is the share of fakes "
    "judged real, not HYPE-infinity."
)


def build_pool(runs: list[Run], judge) -> Pool:
    """The session's images: judge.num_images in all, a judge.real_fraction share of reals
    (none when the data cannot be had: fake-only mode, with the reason in `notice`)."""
    check_runs(runs)
    scale = resolve_scale(judge.scale, _shape(runs[0].config))
    reals, labels, split, notice = _reals(runs, judge)
    images = _real_images(reals, labels, judge.seed, scale)
    counts = fake_counts(judge.num_images - len(images), len(runs))
    for run, count in zip(runs, counts, strict=True):
        images += _fake_images(run, count, judge.seed, scale)
    order = np.random.default_rng(judge.seed).permutation(len(images))
    return Pool([images[i] for i in order], reals is None, notice, split, scale)


def _reals(runs: list[Run], judge):
    """(real images, their labels or None, split, '') from the first run's data, or
    (None, None, None, why not) when judge.real_fraction is 0 or the data cannot be read."""
    first = runs[0]
    num_real = int(round(judge.num_images * judge.real_fraction))
    if not num_real:
        return None, None, None, f"No real images: judge.real_fraction=0. {FAKE_ONLY}"
    splits = list(dict.fromkeys([judge.split, first.config.data.split]))
    with_labels = any(run.conditional for run in runs)
    reals, labels, split, why = load_reals(first.config, splits, num_real, judge.seed, with_labels)
    if reals is None:
        name = first.config.data.name
        return None, None, None, f"No real images: {name} could not be read ({why}). {FAKE_ONLY}"
    return reals, labels, split, ""


def _real_images(reals, labels, seed: int, scale: int) -> list[Image]:
    if reals is None:
        return []
    return [
        _image(seed, "real", None, i, reals[i], None if labels is None else labels[i], scale)
        for i in range(len(reals))
    ]


def _fake_images(run: Run, count: int, seed: int, scale: int) -> list[Image]:
    if not count:
        return []
    fakes, labels = generate_fakes(run, count, seed)
    return [
        _image(seed, "fake", run.name, i, fakes[i], None if labels is None else labels[i], scale)
        for i in range(count)
    ]


def _image(seed: int, source: str, run: str | None, index: int, x, label, scale: int) -> Image:
    """One image of the pool from `x` in [-1, 1]."""
    pixels = images_lib.to_uint8(x)
    label = None if label is None else int(label)
    return Image(
        image_id(seed, source, run, index), source, run, label, _png(pixels, scale), pixels
    )
