"""Scoring generators: config -> extractor and cached real reference -> metrics.

Generated images are produced and embedded batch by batch (only features are kept); the real
side is computed once per key and cached (`ganzoo.metrics.reference`). `Evaluator` scores image
(and 2-D point) generators; other families wrap it (text, video, restoration), and
`ganzoo.eval_lib` runs the family's evaluator on a run folder.
"""

from __future__ import annotations

import datetime
import math
import os
import sys
import time
from collections.abc import Iterator

import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import data as data_lib
from ganzoo.errors import ConfigError, EvalError
from ganzoo.family import family_of
from ganzoo.metrics import classifier as classifier_lib
from ganzoo.metrics import reference as reference_lib
from ganzoo.metrics.class_accuracy import class_accuracy, requested_labels
from ganzoo.metrics.inception import InceptionExtractor
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.modes import mode_metrics
from ganzoo.metrics.prdc import density_coverage, precision_recall

CLASSIFIER_DATASETS = ("mnist", "fashion_mnist")

KID_SUBSETS, KID_SUBSET_SIZE = 100, 1000
PR_K, DC_K = 3, 5
MODE_THRESHOLD = 3.0  # in mode standard deviations, as in VEEGAN and PacGAN


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

    Raises EvalError (e.g. no Inception weights offline) when built, before anything runs.
    """

    def __init__(self, config: config_lib.Config, stream=None) -> None:
        self.config = config
        self.stream = stream or sys.stdout
        self.kind = family_of(config).extractor_kind(config)
        self.extractor = self.real = self.real_path = None
        self._generated = GeneratedBatches()
        if self.kind != "modes":
            self.extractor = build_extractor(config, self.kind, self.stream)
            self.real, self.real_path = real_reference(config, self.extractor, self.stream)

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
        fake = reference_lib.embed(batches, self.extractor, self.config.eval.max_features)
        metrics = image_metrics(self.real, fake)
        if labels is not None and self.kind == "classifier":
            metrics.update(class_accuracy(fake.logits, labels))
        return self._record(metrics, start, fake_count=fake.count, **extra)

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
        if name.endswith("_std") or name in ("num_modes", "min_count") or isinstance(value, dict):
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
