"""A domain classifier: a small CNN trained on a dataset's own labels, cached on disk.

Its logits give a classifier score (the Inception Score formula) and its penultimate features a
Fréchet classifier distance: TF-GAN's MNIST score and MNIST Fréchet distance, for any labelled
grayscale dataset, with no download.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from ganzoo.data.fit_options import without_autotune_model
from ganzoo.errors import EvalError
from ganzoo.workdir import replace_dir

CACHE_ENV = "GANZOO_CACHE_DIR"
DEFAULT_CACHE = os.path.join("~", ".cache", "ganzoo")
MODEL_FILE = "classifier.keras"
METADATA_FILE = "metadata.json"
FEATURES_KEY = "features"
LOGITS_KEY = "logits"


def cache_root(cache_dir: str = "") -> str:
    """`cache_dir` if given, else $GANZOO_CACHE_DIR, else ~/.cache/ganzoo (user expanded)."""
    root = cache_dir or os.environ.get(CACHE_ENV) or DEFAULT_CACHE
    return os.path.abspath(os.path.expanduser(root))


def classifier_dir(cache_dir: str, dataset: str) -> str:
    """Where the classifier of `dataset` lives: <cache root>/classifiers/<dataset>/."""
    return os.path.join(cache_root(cache_dir), "classifiers", dataset)


def build_classifier(
    input_shape: tuple[int, ...], num_classes: int, width: int = 32, feature_dim: int = 128
) -> keras.Model:
    """images [N, H, W, C] in [-1, 1] -> {"features": [N, feature_dim], "logits": [N, classes]}.

    conv3x3(width) - maxpool - conv3x3(2 width) - maxpool - dense(feature_dim, relu) = features
    - dropout(0.3) - dense(num_classes) = logits. About 0.8M weights at 28x28.
    """
    layers = keras.layers
    inputs = keras.Input(tuple(input_shape), name="images")
    x = layers.Conv2D(width, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(2 * width, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    features = layers.Dense(feature_dim, activation="relu", name=FEATURES_KEY)(x)
    logits = layers.Dense(num_classes, name=LOGITS_KEY)(layers.Dropout(0.3)(features))
    return keras.Model(inputs, {FEATURES_KEY: features, LOGITS_KEY: logits}, name="classifier")


def _fingerprint(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


class _EpochLine(keras.callbacks.Callback):
    def __init__(self, epochs: int, stream):
        super().__init__()
        self.epochs, self.stream, self.start = epochs, stream, time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        print(
            f"classifier epoch {epoch + 1}/{self.epochs}: loss {logs.get('loss', float('nan')):.4f}"
            f" accuracy {logs.get('accuracy', float('nan')):.4f}"
            f" ({time.perf_counter() - self.start:.0f}s)",
            file=self.stream,
            flush=True,
        )


def train_classifier(
    train_ds: tf.data.Dataset,
    test_ds: tf.data.Dataset,
    input_shape: tuple[int, ...],
    num_classes: int,
    directory: str,
    epochs: int = 3,
    description: dict | None = None,
    seed: int = 0,
    stream=None,
    builder=None,
) -> dict:
    """Trains `build_classifier` on batches of (images in [-1, 1], int labels), measures its
    accuracy on `test_ds`, and writes `classifier.keras` and `metadata.json` to `directory`
    (replacing what was there, atomically). Returns the metadata. `builder` (default
    `build_classifier`): (input_shape, num_classes) -> a model of the same outputs, such as
    the audio one (`ganzoo.families.audio.classifier.builder`)."""
    stream = stream or sys.stdout
    keras.utils.set_random_seed(seed)
    model = (builder or build_classifier)(input_shape, num_classes)
    trainer = keras.Model(model.input, model.output[LOGITS_KEY])
    start = time.perf_counter()
    history = _fit(trainer, train_ds, epochs, stream)
    seconds = time.perf_counter() - start
    correct, total = _test_counts(trainer, test_ds)
    training = {
        **(description or {}),
        "input_shape": list(input_shape),
        "num_classes": int(num_classes),
        "feature_dim": int(model.output[FEATURES_KEY].shape[-1]),
        "epochs": int(epochs),
        "train_accuracy_last_epoch": float(history.history["accuracy"][-1]),
        "test_examples": total,
        "test_accuracy": correct / total,
        "train_seconds": round(seconds, 1),
    }
    return _write_classifier(model, training, directory)


def _fit(trainer: keras.Model, train_ds, epochs: int, stream) -> keras.callbacks.History:
    trainer.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return trainer.fit(
        without_autotune_model(train_ds),
        epochs=epochs,
        verbose=0,
        shuffle=False,
        callbacks=[_EpochLine(epochs, stream)],
    )


def _test_counts(trainer: keras.Model, test_ds) -> tuple[int, int]:
    """(correctly classified, all) test examples; EvalError for an empty test split."""
    correct = total = 0
    for images, labels in test_ds:
        predicted = np.argmax(trainer(images, training=False), axis=-1)
        correct += int(np.sum(predicted == labels.numpy()))
        total += int(labels.shape[0])
    if total == 0:
        raise EvalError("Received: an empty test split for the classifier. Expected examples.")
    return correct, total


def _write_classifier(model: keras.Model, training: dict, directory: str) -> dict:
    """Writes the model and its metadata (`training`, when and with what it was made, the
    weights' fingerprint) as a new `directory`, swapped into place. Returns the metadata."""
    metadata = {}

    def write(folder: str) -> None:
        os.makedirs(folder)
        model.save(os.path.join(folder, MODEL_FILE))
        metadata.update(
            training,
            created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            tensorflow=tf.__version__,
            keras=keras.__version__,
            fingerprint=_fingerprint(os.path.join(folder, MODEL_FILE)),
        )
        with open(os.path.join(folder, METADATA_FILE), "w", encoding="utf-8") as f:
            json.dump(metadata, f, indent=2, sort_keys=True)

    replace_dir(directory, write)
    return metadata


def read_metadata(directory: str) -> dict | None:
    """The classifier's metadata, or None when `directory` holds no finished classifier."""
    path = os.path.join(directory, METADATA_FILE)
    if not os.path.isfile(path) or not os.path.isfile(os.path.join(directory, MODEL_FILE)):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise EvalError(
            f"Cannot read {path} ({e}). Delete {directory} to retrain the classifier."
        ) from None


class DomainClassifier:
    """A cached domain classifier as a feature extractor:
    `classifier(images) -> (features [N, feature_dim], logits [N, num_classes])`.

    `name` ("classifier:<dataset>") and `fingerprint` (of the weights file) identify it in the
    keys of cached real statistics, so retraining it invalidates them.
    """

    def __init__(self, directory: str) -> None:
        metadata = read_metadata(directory)
        if metadata is None:
            raise EvalError(
                f"No trained classifier in {directory} (expected {MODEL_FILE} and "
                f"{METADATA_FILE}). Train it: python -m ganzoo.run --mode=train_classifier "
                "--experiment=NAME."
            )
        self.directory = directory
        self.metadata = metadata
        self.name = f"classifier:{metadata.get('dataset', os.path.basename(directory))}"
        self.fingerprint = metadata["fingerprint"]
        self.input_shape = tuple(metadata["input_shape"])
        self.feature_dim = int(metadata["feature_dim"])
        model = keras.models.load_model(os.path.join(directory, MODEL_FILE))

        @tf.function(input_signature=[tf.TensorSpec([None, *self.input_shape], tf.float32)])
        def forward(images):
            out = model(images, training=False)
            return out[FEATURES_KEY], out[LOGITS_KEY]

        self.model = model  # images -> {features, logits}, differentiable (edit's feature loss)
        self._forward = forward

    def __call__(self, images: np.ndarray, batch_size: int = 250) -> tuple[np.ndarray, np.ndarray]:
        """(features, logits) as float32 numpy arrays for float images in [-1, 1]."""
        images = np.asarray(images)
        if images.shape[1:] != self.input_shape:
            raise ValueError(
                f"Received: images with shape {images.shape}. Expected [N, "
                f"{', '.join(map(str, self.input_shape))}] (the classifier's input)."
            )
        features, logits = [], []
        for start in range(0, images.shape[0], batch_size):
            f, lg = self._forward(tf.constant(images[start : start + batch_size], tf.float32))
            features.append(f.numpy())
            logits.append(lg.numpy())
        return np.concatenate(features), np.concatenate(logits)
