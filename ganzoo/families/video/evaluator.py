"""Evaluation of video runs: per-frame FID under the dataset's domain classifier, and temporal
consistency (frame-to-frame change, the share of frame pairs whose object is followed), each
beside the same number on real clips.

Every frame of `eval.num_samples` clips is resized to 28x28 and embedded by the (fashion_)mnist
domain classifier (`ganzoo.metrics.classifier`, the one the image experiments use); FID is the
Fréchet distance between the generated and the real (eval.split) frames' features.
"""

from __future__ import annotations

import datetime
import sys
import time

import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo.errors import EvalError
from ganzoo.families.video import data as moving
from ganzoo.families.video import temporal
from ganzoo.metrics import evaluator as evaluator_lib
from ganzoo.metrics import reference as reference_lib

CLASSIFIER_SIDE = 28


def classifier_dataset(config) -> str:
    """The image dataset whose domain classifier scores the frames of `config`'s clips."""
    name = "mnist" if config.data.name == moving.MOVING_MNIST else config.data.name
    if name not in evaluator_lib.CLASSIFIER_DATASETS:
        raise EvalError(
            f"Received: data.name={config.data.name!r} for a video run. Expected clips of "
            f"{', '.join(evaluator_lib.CLASSIFIER_DATASETS)} or moving_mnist: the per-frame FID "
            "needs that dataset's domain classifier."
        )
    return name


def frame_image_config(config) -> config_lib.Config:
    """The 28x28 image config of the frames' dataset: its domain classifier is shared with the
    image experiments (same cache directory and input shape)."""
    name = classifier_dataset(config)
    overrides = {"model.arch": "dcgan", "model.resolution": CLASSIFIER_SIDE, "data.name": name}
    if config.data.name == moving.MOVING_MNIST:  # digits: IDX files when present, else TFDS
        overrides.update({"data.source": "auto", "data.split": "train"})
    return config_lib.apply_overrides(config, overrides)


def classifier_frames(clips) -> np.ndarray:
    """Clips [N, T, H, W, C] in [-1, 1] -> frames [N T, 28, 28, C] (antialiased resize)."""
    clips = np.asarray(clips, np.float32)
    frames = clips.reshape(-1, *clips.shape[2:])
    if frames.shape[1:3] != (CLASSIFIER_SIDE, CLASSIFIER_SIDE):
        side = (CLASSIFIER_SIDE, CLASSIFIER_SIDE)
        frames = tf.image.resize(frames, side, antialias=True).numpy()
    return np.clip(frames, -1.0, 1.0)


def max_jump(config) -> float:
    """The tracking threshold J in px: the fastest object's step plus rounding slack."""
    return float(config.video.max_speed * config.model.resolution + 1.5)


class _Temporal:
    """Running means of the temporal metrics over clip batches (exact: weights = clip counts)."""

    def __init__(self, jump: float):
        self.jump, self.count, self.diff, self.tracked = jump, 0, 0.0, 0.0

    def update(self, clips: np.ndarray) -> np.ndarray:
        n = len(clips)
        self.diff += n * temporal.frame_difference(clips)
        self.tracked += n * temporal.tracked_share(clips, self.jump)
        self.count += n
        return clips

    def result(self) -> dict:
        return {"frame_diff": self.diff / self.count, "tracked_share": self.tracked / self.count}


class VideoEvaluator:
    """Scores video generators of one config (the `ganzoo.metrics.evaluator.Evaluator` interface): the domain
    classifier and the real clips' statistics are computed once, when built."""

    kind = "classifier"

    def __init__(self, config, stream=None) -> None:
        self.config = config
        self.stream = stream or sys.stdout
        self.image_config = frame_image_config(config)
        self.extractor = evaluator_lib.build_extractor(self.image_config, "classifier", self.stream)
        self._generated = evaluator_lib.GeneratedBatches()
        ev = config.eval
        print(
            f"Embedding the frames of {ev.num_samples} real {config.data.name} clips "
            f"({ev.split!r})",
            file=self.stream,
            flush=True,
        )
        real = moving.clips(config, ev.split, ev.num_samples).batch(ev.batch_size)
        self.real, self.real_temporal = self._embed(real.as_numpy_iterator())
        self.real_count = self.real_temporal["count"]
        if self.real_count < ev.num_samples:
            raise EvalError(
                f"Received: {self.real_count} real clips in {ev.split!r}. Expected "
                f"eval.num_samples={ev.num_samples}: lower it or use a larger split."
            )

    def _embed(self, clip_batches) -> tuple[reference_lib.Embedded, dict]:
        tracker = _Temporal(max_jump(self.config))
        frames = (classifier_frames(tracker.update(c)) for c in clip_batches)
        embedded = reference_lib.embed(frames, self.extractor, self.config.eval.max_features)
        return embedded, {**tracker.result(), "count": tracker.count}

    def evaluate_batches(self, clip_batches, **extra) -> dict:
        start = time.perf_counter()
        fake, fake_temporal = self._embed(clip_batches)
        score, score_std = fake.score()
        real_t = self.real_temporal
        metrics = {
            "fid": fake.stats.frechet_distance(self.real.stats),
            "score": score,
            "score_std": score_std,
            "frame_diff": fake_temporal["frame_diff"],
            "frame_diff_real": real_t["frame_diff"],
            "frame_diff_ratio": fake_temporal["frame_diff"] / max(real_t["frame_diff"], 1e-12),
            "tracked_share": fake_temporal["tracked_share"],
            "tracked_share_real": real_t["tracked_share"],
        }
        ev = self.config.eval
        return {
            "dataset": self.config.data.name,
            "split": ev.split,
            "extractor": self.kind,
            "extractor_name": self.extractor.name,
            "num_samples": ev.num_samples,
            "num_frames": fake.count,
            "frames": self.config.video.frames,
            "metrics": {k: float(v) for k, v in metrics.items()},
            "seconds": round(time.perf_counter() - start, 2),
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "eval_config": ev.to_dict(),
            "real_count": self.real_count,
            "real_score": float(self.real.score()[0]),
            "classifier_test_accuracy": self.extractor.metadata.get("test_accuracy"),
            "fake_count": fake_temporal["count"],
            **extra,
        }

    def evaluate(self, gan, **extra) -> dict:
        """The result record of `gan.sampling_generator` on eval.num_samples clips."""
        return self.evaluate_batches(self._generated(gan, self.config.eval), **extra)


def real_clips(config):
    """data.split's first eval.num_samples clips in eval.batch_size batches (numpy)."""
    ev = config.eval
    batches = moving.clips(config, config.data.split, ev.num_samples).batch(ev.batch_size)
    return batches.as_numpy_iterator()


def train_domain_classifier(config, stream=None) -> dict:
    """`--mode=train_classifier` on a video config: the frames' dataset's 28x28 classifier."""
    return evaluator_lib.train_image_classifier(frame_image_config(config), stream)
