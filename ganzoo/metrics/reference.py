"""Features of a set of images, accumulated batch by batch, and their on-disk cache by key.

The real data's side of every metric is computed once per (dataset, split, extractor, sample
count) and saved as an .npz (statistics and a capped feature sample) beside a .json key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ganzoo.errors import EvalError
from ganzoo.metrics.fid import FeatureStats
from ganzoo.metrics.inception_score import inception_score
from ganzoo.workdir import atomic_path, atomic_write_json

# (images [N, ...] float32 in [-1, 1]) -> (features [N, D], logits [N, K])
Extractor = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
KEY_VERSION = 1


@dataclass
class Embedded:
    """What the metrics need of a set of images, without the images.

    stats: mean and covariance of all features (FeatureStats); features: the first
    `max_features` rows, for KID and the k-NN metrics; logits: all of them, for the score.
    """

    stats: FeatureStats
    features: np.ndarray
    logits: np.ndarray
    extra: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.stats.count

    def score(self, splits: int = 10) -> tuple[float, float]:
        """The Inception Score formula on the logits: (mean, std) over `splits` parts."""
        return inception_score(self.logits, splits=min(splits, len(self.logits)))


def embed(batches: Iterable[np.ndarray], extractor: Extractor, max_features: int) -> Embedded:
    """Runs `extractor` over image batches as they come; keeps features and logits only."""
    stats = None
    kept, kept_rows, logits = [], 0, []
    for images in batches:
        features, batch_logits = extractor(images)
        if stats is None:
            stats = FeatureStats(features.shape[1])
        stats.update(features)
        logits.append(np.asarray(batch_logits, np.float32))
        if kept_rows < max_features:
            kept.append(np.asarray(features[: max_features - kept_rows], np.float32))
            kept_rows += len(kept[-1])
    if stats is None or stats.count < 2:
        raise EvalError(
            f"Received: {0 if stats is None else stats.count} image(s) to evaluate. "
            "Expected at least 2 (a covariance needs two)."
        )
    return Embedded(stats, np.concatenate(kept), np.concatenate(logits))


def cache_stem(directory: str, key: dict) -> str:
    """<directory>/<dataset>-<split>-<extractor>-n<N>-<hash of the whole key>."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
    label = f"{key['dataset']}-{key['split']}-{key['extractor']}-n{key['num_samples']}"
    return os.path.join(directory, re.sub(r"[^A-Za-z0-9_.-]+", "_", label) + f"-{digest}")


def load_cached(stem: str, key: dict) -> Embedded | None:
    """The Embedded saved under `stem` for exactly `key`, or None when there is none."""
    try:
        with open(stem + ".json", encoding="utf-8") as f:
            saved = json.load(f)
    except (OSError, ValueError):
        return None
    if saved.get("key") != key:
        return None
    stats = FeatureStats.load(stem + ".npz")
    with np.load(stem + ".npz") as data:
        features, logits = data["features"], data["logits"]
    return Embedded(stats, features, logits, extra=saved.get("extra", {}))


def save_cached(stem: str, key: dict, embedded: Embedded) -> None:
    """Writes `stem`.npz then `stem`.json (the json's presence means the npz is complete)."""
    with atomic_path(stem + ".npz") as tmp, open(tmp, "wb") as f:
        np.savez(
            f,
            count=np.int64(embedded.stats.count),
            sum=embedded.stats.sum,
            sum_outer=embedded.stats.sum_outer,
            features=embedded.features,
            logits=embedded.logits,
        )
    payload = {"key": key, "count": embedded.count, "extra": embedded.extra}
    atomic_write_json(stem + ".json", payload)
