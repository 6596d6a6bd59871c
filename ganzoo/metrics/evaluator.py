"""Scoring generators: config -> extractor and cached real reference -> metrics.

Generated images are produced and embedded batch by batch (only features are kept); the real
side is computed once per key and cached (`ganzoo.metrics.reference`). `Evaluator` scores image
(and 2-D point) generators; other families wrap it (text, video, restoration), and
`ganzoo.eval_lib` runs the family's evaluator on a run folder.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import sys
import time
from collections.abc import Iterator

import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import data as data_lib
from ganzoo import images as images_lib
from ganzoo.errors import ConfigError, EvalError
from ganzoo.family import family_of
from ganzoo.metrics import classifier as classifier_lib
from ganzoo.metrics import reference as reference_lib
from ganzoo.metrics.class_accuracy import class_accuracy, requested_labels
from ganzoo.metrics.class_coverage import class_coverage
from ganzoo.metrics.inception import InceptionExtractor
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.memorisation import nearest_neighbours
from ganzoo.metrics.modes import mode_metrics
from ganzoo.metrics.prdc import density_coverage, precision_recall
from ganzoo.workdir import atomic_write_json

CLASSIFIER_DATASETS = ("mnist", "fashion_mnist")

KID_SUBSETS, KID_SUBSET_SIZE = 100, 1000
PR_K, DC_K = 3, 5
MODE_THRESHOLD = 3.0  # in mode standard deviations, as in VEEGAN and PacGAN
# Data sources whose data.split picks one of several splits; a folder of images or TFRecord
# shards is one set whatever the split, so it has no separate training split to compare with.
SPLIT_SOURCES = ("auto", "idx", "tfds")
NEAREST_ROWS, NEAREST_K = 8, 3  # the neighbours picture: samples shown, neighbours per space


def resolve_image_extractor(config: config_lib.Config) -> str:
    """eval.extractor with `auto` resolved for images: modes (synthetic), classifier
    (mnist-like, gray), or inception."""
    name = config.eval.extractor
    synthetic = config.data.source == "synthetic"
    if name == "auto":
        if synthetic:
            return "modes"
        gray = config.model.channels == 1
        return "classifier" if config.data.name in CLASSIFIER_DATASETS and gray else "inception"
    if (name == "modes") != synthetic:
        expected = "modes (or auto)" if synthetic else "inception, classifier or auto"
        raise ConfigError(
            f"Received: eval.extractor={name!r} with data.source={config.data.source!r}. "
            f"Expected {expected}: mode metrics are for the synthetic 2-D benchmarks only."
        )
    return name


# -- extractors --------------------------------------------------------------------------------
class _Inception:
    """InceptionExtractor with the `name` and `fingerprint` the reference cache keys on."""

    name = "inception"

    def __init__(self, path: str):
        self._net = InceptionExtractor(path or None)
        self.fingerprint = self._net.source

    def __call__(self, images):
        # 64 at a time whatever eval.batch_size is: Inception's 299x299 activations are large.
        return self._net(images, batch_size=64)


def examples(config, split: str, with_labels: bool, shuffle: int, limit: int = 0):
    """The unbatched, model-ready examples of `split` (every one: no remainder dropped)."""
    overrides = {
        "data.split": split,
        "data.shuffle_buffer": shuffle,
        "data.cache": False,
        "data.max_examples": limit,
        "train.batch_size": 1,
    }
    cfg = config_lib.apply_overrides(config, overrides)
    dataset = family_of(cfg).dataset(cfg, with_labels=with_labels, repeat=False)
    return dataset.unbatch()


def train_image_classifier(config: config_lib.Config, stream=None) -> dict:
    """Trains the domain classifier of `config`'s dataset on its `train` split (the experiment's
    own data settings), tests it on `test`, caches it; returns its metadata."""
    family = family_of(config)
    stream = stream or sys.stdout
    directory = classifier_lib.classifier_dir(config.eval.cache_dir, classifier_name(config))
    if config.data.source == "synthetic":
        raise ConfigError(
            "Received: data.source='synthetic'. Expected an image dataset: the 2-D benchmarks "
            "are scored with mode metrics, not a classifier."
        )
    labels = examples(config, "train", True, 0).map(lambda x, y: y).batch(4096)
    counts = np.bincount(np.concatenate(list(labels.as_numpy_iterator())))
    print(
        f"Training the {config.data.name} domain classifier on {counts.sum()} train images "
        f"({config.eval.classifier_epochs} epochs; cached in {directory})",
        file=stream,
        flush=True,
    )
    train = examples(config, "train", True, 10_000).batch(64).prefetch(tf.data.AUTOTUNE)
    test = examples(config, "test", True, 0).batch(500)
    description = {
        "dataset": config.data.name,
        "data_source": config.data.source,
        "data_dir": config.data.dir,
        "train_examples": int(counts.sum()),
    }
    metadata = classifier_lib.train_classifier(
        train,
        test,
        family.example_shape(config),
        num_classes=len(counts),
        directory=directory,
        epochs=config.eval.classifier_epochs,
        description=description,
        seed=config.seed,
        stream=stream,
        builder=family.classifier_builder(config),
    )
    print(
        f"Classifier test accuracy {metadata['test_accuracy']:.4f} on "
        f"{metadata['test_examples']} test images; saved in {directory}",
        file=stream,
        flush=True,
    )
    return metadata


def classifier_name(config) -> str:
    """The classifier cache's name: the dataset's, or for audio also its clip length and rate."""
    return family_of(config).classifier_name(config)


def _domain_classifier(config, stream):
    directory = classifier_lib.classifier_dir(config.eval.cache_dir, classifier_name(config))
    if classifier_lib.read_metadata(directory) is None:
        family_of(config).train_domain_classifier(config, stream)
    extractor = classifier_lib.DomainClassifier(directory)
    shape = tuple(family_of(config).example_shape(config))
    if extractor.input_shape != shape:
        raise EvalError(
            f"Received: images of shape {shape}; the classifier in {directory} takes "
            f"{extractor.input_shape}. Expected the same: use another eval.cache_dir, or "
            "retrain it with --mode=train_classifier."
        )
    return extractor


def build_extractor(config, kind: str, stream=None):
    """The feature extractor for `kind` ('inception' or 'classifier')."""
    if kind == "inception":
        return _Inception(config.eval.inception_path)
    return _domain_classifier(config, stream or sys.stdout)


# -- image streams -----------------------------------------------------------------------------
def generator_function(generator, latent_dim: int, num_classes: int = 0):
    """`generator(z, training=False)` under one tf.function (traced once for every batch size).

    A conditional generator (`num_classes` > 0) gets [z, labels], labels i mod num_classes in
    each batch: classes in equal shares.
    """

    def forward(z):
        if not num_classes:
            return generator(z, training=False)
        labels = tf.range(tf.shape(z)[0]) % num_classes
        return generator([z, labels], training=False)

    return tf.function(forward, input_signature=[tf.TensorSpec([None, latent_dim], tf.float32)])


def generated_batches(forward, latent_dim: int, num: int, batch_size: int, seed: int):
    """`num` outputs of `forward` (see `generator_function`) in batches, z ~ N(0, I) drawn from
    np.random.default_rng(seed)."""
    rng = np.random.default_rng(seed)
    for start in range(0, num, batch_size):
        z = rng.standard_normal((min(batch_size, num - start), latent_dim)).astype(np.float32)
        yield forward(tf.constant(z)).numpy()


def _keeping(batches, kept: list, limit: int):
    """`batches` passed on unchanged, their first `limit` rows appended to `kept` as float32."""
    rows = 0
    for images in batches:
        if rows < limit:
            kept.append(np.asarray(images[: limit - rows], np.float32))
            rows += len(kept[-1])
        yield images


class GeneratedBatches:
    """`generated_batches` of a GAN's sampling generator: eval.num_samples outputs in
    eval.batch_size batches, z drawn from eval.seed. Call as `batches(gan, config.eval)`
    (`num_classes` > 0 for a conditional generator, see `generator_function`).

    Keeps the generator's tf.function while the generator stays the same, so an evaluator
    called at every eval step of a training run traces it once, not once per evaluation.
    """

    def __init__(self) -> None:
        self._generator = self._function = None
        self._shape = None  # (latent_dim, num_classes) the function was made for

    def __call__(self, gan, eval_config, num_classes: int = 0) -> Iterator[np.ndarray]:
        generator, shape = gan.sampling_generator, (gan.latent_dim, num_classes)
        if generator is not self._generator or shape != self._shape:
            self._function = generator_function(generator, *shape)
            self._generator, self._shape = generator, shape
        ev = eval_config
        return generated_batches(
            self._function, gan.latent_dim, ev.num_samples, ev.batch_size, ev.seed
        )


def real_batches(config, split: str, num: int, batch_size: int) -> Iterator[np.ndarray]:
    """The first `num` examples of `split` (as training sees them), in batches."""
    ds = examples(config, split, False, 0, limit=num).batch(batch_size)
    return ds.prefetch(tf.data.AUTOTUNE).as_numpy_iterator()


def reference_key(config, extractor) -> dict:
    ev = config.eval
    return {
        "version": reference_lib.KEY_VERSION,
        "dataset": config.data.name,
        "source": config.data.source,
        "data_dir": config.data.dir,
        "image_shape": list(family_of(config).example_shape(config)),
        "split": ev.split,
        "num_samples": ev.num_samples,
        "max_features": ev.max_features,
        "extractor": extractor.name,
        "extractor_fingerprint": extractor.fingerprint,
    }


def real_reference(config, extractor, stream=None) -> tuple[reference_lib.Embedded, str]:
    """(embedded real samples of eval.split, cache stem): loaded when cached, else computed."""
    stream = stream or sys.stdout
    key = reference_key(config, extractor)
    directory = os.path.join(classifier_lib.cache_root(config.eval.cache_dir), "real_stats")
    stem = reference_lib.cache_stem(directory, key)
    cached = reference_lib.load_cached(stem, key)
    if cached is not None:
        return cached, stem
    print(
        f"Computing {extractor.name} statistics of {config.data.name} {config.eval.split!r} "
        f"({config.eval.num_samples} samples), once: cached in {stem}.npz",
        file=stream,
        flush=True,
    )
    batches = real_batches(
        config, config.eval.split, config.eval.num_samples, config.eval.batch_size
    )
    embedded = reference_lib.embed(batches, extractor, config.eval.max_features)
    mean, std = embedded.score()
    embedded.extra = {"score": mean, "score_std": std}
    reference_lib.save_cached(stem, key, embedded)
    return embedded, stem


# -- the training split: memorisation ---------------------------------------------------------
def training_split(config) -> str:
    """The split the run trained on (data.split) when the memorisation check can compare with
    it: the data source has splits (SPLIT_SOURCES) and it is not eval.split; else ''."""
    split = config.data.split
    if config.data.source not in SPLIT_SOURCES or split == config.eval.split:
        return ""
    return split


class TrainingSet:
    """What the memorisation check needs of the training split (`training_split`).

    reference: its first eval.num_samples images embedded (FID against train), cached as the
    eval.split reference is. pixels, features: with the domain classifier on images, every
    training image the run could see (data.max_examples; 0 = all) flattened, and its features,
    for the nearest-neighbour search; None otherwise (Inception features of a whole training
    set cost hours on a CPU). Loaded afresh by each evaluator: 60,000 Fashion-MNIST images
    take about 8 s, less than their cache would save.
    """

    def __init__(self, config, extractor, kind: str, stream) -> None:
        self.config, self.extractor, self.stream = config, extractor, stream
        self.split = training_split(config)
        train_config = config_lib.apply_overrides(config, {"eval.split": self.split})
        self.reference, self.reference_path = real_reference(train_config, extractor, stream)
        self.pixels = self.features = None
        self.image_shape = tuple(family_of(config).example_shape(config))
        if kind == "classifier" and len(self.image_shape) == 3:
            self._load()

    def _load(self) -> None:
        ev = self.config.eval
        print(
            f"Loading the {self.split!r} images for the nearest-neighbour search",
            file=self.stream,
            flush=True,
        )
        pixels, features = [], []
        batches = real_batches(
            self.config, self.split, self.config.data.max_examples, ev.batch_size
        )
        for images in batches:
            pixels.append(np.asarray(images, np.float32).reshape(len(images), -1))
            features.append(np.asarray(self.extractor(images)[0], np.float32))
        self.pixels, self.features = np.concatenate(pixels), np.concatenate(features)

    def floor(self, real: reference_lib.Embedded) -> dict:
        """nn_*_real_mean: the nearest-neighbour distances of eval.split's first real images
        (as many as `real` kept features of) to this training set, computed once and cached
        beside the real statistics."""
        n = len(real.features)
        key = {
            **reference_key(self.config, self.extractor),
            "what": "nearest training image of each eval.split image",
            "train_split": self.split,
            "train_max_examples": self.config.data.max_examples,
            "train_count": len(self.pixels),
            "count": n,
        }
        root = classifier_lib.cache_root(self.config.eval.cache_dir)
        stem = reference_lib.cache_stem(os.path.join(root, "real_stats", "nearest"), key)
        try:
            with open(stem + ".json", encoding="utf-8") as f:
                saved = json.load(f)
            if saved.get("key") == key:
                return saved["metrics"]
        except (OSError, ValueError):
            pass
        ev = self.config.eval
        pixels = np.concatenate(list(real_batches(self.config, ev.split, n, ev.batch_size)))
        metrics = {
            "nn_feature_distance_real_mean": mean_nearest(real.features, self.features),
            "nn_pixel_distance_real_mean": mean_nearest(pixels, self.pixels),
        }
        atomic_write_json(stem + ".json", {"key": key, "metrics": metrics})
        return metrics

    def picture(self, pixels: np.ndarray, features: np.ndarray, distances) -> np.ndarray:
        """The NEAREST_ROWS samples nearest to a training image in pixels (the likeliest
        copies), one per row: the sample, a gap, its NEAREST_K nearest training images in
        pixels, a gap, its NEAREST_K nearest in the classifier's features; upscaled as
        `images.image_grid` does."""
        rows = np.argsort(distances, kind="stable")[:NEAREST_ROWS]
        k = min(NEAREST_K, len(self.pixels))
        by_pixels, _ = nearest_neighbours(pixels[rows], self.pixels, k)
        by_features, _ = nearest_neighbours(features[rows], self.features, k)
        gap = np.ones((1, *self.image_shape), np.float32)  # white, as the grid's padding
        tiles = []
        for row, near_p, near_f in zip(rows, by_pixels, by_features, strict=True):
            sample = pixels[row].reshape(1, *self.image_shape)
            tiles += [sample, gap, self.pixels[near_p], gap, self.pixels[near_f]]
        tiles = np.concatenate([t.reshape(-1, *self.image_shape) for t in tiles])
        return images_lib.image_grid(tiles, cols=2 * k + 3)


def mean_nearest(queries, references) -> float:
    """The mean Euclidean distance of each query to its nearest reference."""
    return float(nearest_neighbours(queries, references)[1].mean())


def nearest_path(step: int) -> str:
    return os.path.join("eval", f"nearest_step_{step:06d}.png")


# -- metrics -----------------------------------------------------------------------------------
def image_metrics(real: reference_lib.Embedded, fake: reference_lib.Embedded) -> dict:
    """FID (Fréchet distance of the extractor's features), KID, the score (IS formula on the
    logits), precision/recall (k=3) and density/coverage (k=5) of `fake` against `real`."""
    kid, kid_std = kernel_inception_distance(
        real.features, fake.features, num_subsets=KID_SUBSETS, subset_size=KID_SUBSET_SIZE
    )
    score, score_std = fake.score()
    return {
        "fid": fake.stats.frechet_distance(real.stats),
        "kid": kid,
        "kid_std": kid_std,
        "score": score,
        "score_std": score_std,
        **precision_recall(real.features, fake.features, k=PR_K),
        **density_coverage(real.features, fake.features, k=DC_K),
    }


def synthetic_metrics(config, points: np.ndarray) -> dict:
    """mode_metrics of 2-D samples; a mode counts as covered with >= 20% of a uniform share
    (min_count = N / (5 K)), PacGAN's 20 of 2500 samples on grid25."""
    centers = data_lib.mode_centers(config.data.name)
    min_count = max(1, len(points) // (5 * len(centers)))
    out = mode_metrics(
        points, centers, data_lib.mode_std(config.data.name), MODE_THRESHOLD, min_count
    )
    return {**out, "min_count": min_count}


def _clean(value):
    # JSON has no NaN: kl_to_uniform is NaN when no sample is near a mode.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def comparable(a: dict, b: dict) -> bool:
    """Results can be ranked against each other only with the same data, extractor and counts."""
    keys = ("dataset", "split", "extractor", "extractor_name", "num_samples")
    return all(a.get(k) == b.get(k) for k in keys)


class Evaluator:
    """Scores generators of one config: loads the extractor and the real reference once.

    Unconditional runs scored with the domain classifier also get its class coverage
    (`class_coverage`). With `memorisation` (--mode=eval and eval_real; too slow for every
    evaluation of a training run), the samples are also checked against the training split
    where it has one (`training_split`, `TrainingSet`): FID against it and, with the domain
    classifier on images, nearest training images; `nearest_picture` then holds the last
    evaluation's picture of them.

    Raises EvalError (e.g. no Inception weights offline) when built, before anything runs.
    """

    def __init__(self, config: config_lib.Config, stream=None, memorisation: bool = False) -> None:
        self.config = config
        self.stream = stream or sys.stdout
        self.kind = family_of(config).extractor_kind(config)
        self.extractor = self.real = self.real_path = self.train = None
        self.nearest_picture = None
        self._generated = GeneratedBatches()
        if self.kind != "modes":
            self.extractor = build_extractor(config, self.kind, self.stream)
            self.real, self.real_path = real_reference(config, self.extractor, self.stream)
            if memorisation and training_split(config):
                self.train = TrainingSet(config, self.extractor, self.kind, self.stream)

    def _record(self, metrics: dict, start: float, **extra) -> dict:
        ev = self.config.eval
        record = {
            "dataset": self.config.data.name,
            "split": ev.split,
            "extractor": self.kind,
            "extractor_name": getattr(self.extractor, "name", "modes"),
            "num_samples": ev.num_samples,
            "metrics": {k: _clean(v) for k, v in metrics.items()},
            "seconds": round(time.perf_counter() - start, 2),
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "eval_config": ev.to_dict(),
            **extra,
        }
        if self.real is not None:
            record.update(
                real_count=self.real.count,
                real_score=self.real.extra.get("score"),
                real_stats=self.real_path + ".npz",
            )
        if self.train is not None:
            record.update(
                train_split=self.train.split, train_stats=self.train.reference_path + ".npz"
            )
        if self.kind == "classifier":
            metadata = getattr(self.extractor, "metadata", {})
            record["classifier_test_accuracy"] = metadata.get("test_accuracy")
        return record

    def evaluate_batches(self, batches, labels=None, **extra) -> dict:
        """The result record of a stream of image (or 2-D point) batches.

        `labels`: the classes the samples were generated for (conditional models); with the
        domain classifier, the record then has `class_accuracy` (metrics/class_accuracy.py).
        """
        start = time.perf_counter()
        if self.kind == "modes":
            points = np.concatenate(list(batches))
            return self._record(synthetic_metrics(self.config, points), start, **extra)
        self.nearest_picture, kept = None, []
        if self.train is not None and self.train.pixels is not None:
            batches = _keeping(batches, kept, self.config.eval.max_features)
        fake = reference_lib.embed(batches, self.extractor, self.config.eval.max_features)
        metrics = image_metrics(self.real, fake)
        if self.kind == "classifier":
            if labels is None:
                metrics.update(class_coverage(fake.logits, self.real.logits))
            else:
                metrics.update(class_accuracy(fake.logits, labels))
        if self.train is not None:
            metrics.update(self._memorisation(fake, kept, metrics["fid"]))
        return self._record(metrics, start, fake_count=fake.count, **extra)

    def _memorisation(self, fake: reference_lib.Embedded, kept: list, fid: float) -> dict:
        """fid_train (FID against the training split's reference) and fid_gap = fid_train -
        fid; with the training images at hand, the mean distance of each sample (the first
        eval.max_features) to its nearest training image in the classifier's features and in
        pixels, the same for real eval.split images (the floor), and `nearest_picture`."""
        train = self.train
        fid_train = fake.stats.frechet_distance(train.reference.stats)
        out = {"fid_train": fid_train, "fid_gap": fid_train - fid}
        if train.pixels is None:
            return out
        pixels = np.concatenate(kept).reshape(len(fake.features), -1)
        _, pixel_distances = nearest_neighbours(pixels, train.pixels)
        out.update(
            nn_feature_distance_mean=mean_nearest(fake.features, train.features),
            nn_pixel_distance_mean=float(pixel_distances.mean()),
            **train.floor(self.real),
        )
        self.nearest_picture = train.picture(pixels, fake.features, pixel_distances[:, 0])
        return out

    def evaluate(self, gan, **extra) -> dict:
        """The result record of `gan.sampling_generator` on eval.num_samples samples."""
        ev = self.config.eval
        classes = family_of(self.config).num_classes(self.config)
        batches = self._generated(gan, ev, classes)
        labels = requested_labels(ev.num_samples, ev.batch_size, classes) if classes else None
        return self.evaluate_batches(batches, labels=labels, **extra)


def summary(result: dict) -> str:
    """One line: the metrics of a result."""
    parts = []
    for name, value in result["metrics"].items():
        skipped = name.endswith("_std") or name in ("num_modes", "min_count", "num_classes")
        if skipped or isinstance(value, (dict, list)):
            continue
        parts.append(f"{name} {value:.4g}" if isinstance(value, float) else f"{name} {value}")
    return " | ".join(parts)


def headline(result: dict) -> str:
    """A finished run's quality in one phrase: for the 2-D benchmarks, modes covered by
    PacGAN's count (`synthetic_metrics`) and the share of samples within MODE_THRESHOLD std of
    a mode, as --mode=eval reports them; else `summary`."""
    m = result["metrics"]
    if result.get("extractor") != "modes":
        return summary(result)
    return (
        f"{m['modes_covered']}/{m['num_modes']} modes covered (PacGAN's count), high-quality "
        f"share {m['high_quality_fraction']:.1%} ({result['num_samples']:,} samples)"
    )


def result_path(step: int) -> str:
    return os.path.join("eval", f"step_{step:06d}.json")


def summary_line(what: str, result: dict) -> str:
    """`<what> vs 'test', N samples, extractor E: <metrics> (Ns) -> path`."""
    return (
        f"{what} vs {result['split']!r}, {result['num_samples']} samples, extractor "
        f"{result['extractor_name']}: {summary(result)} ({result['seconds']:.0f}s)"
        + (f" -> {result['path']}" if "path" in result else "")
    )


def real_sample_batches(config: config_lib.Config) -> Iterator[np.ndarray]:
    """What `--mode=eval_real` scores as if generated: data.split's first eval.num_samples
    images in eval.batch_size batches; for the 2-D benchmarks, fresh points of the mixture."""
    ev = config.eval
    if config.data.source == "synthetic":
        return iter([data_lib.sample_synthetic(config.data.name, ev.num_samples, config.seed + 7)])
    return real_batches(config, config.data.split, ev.num_samples, ev.batch_size)
