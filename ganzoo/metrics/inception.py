"""Inception-v3 feature extractor (TF-GAN's network) for FID, IS, KID and PRDC.

Loads the weights from a local SavedModel folder, or from TF-Hub when it is reachable.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf

from ganzoo.errors import EvalError

# The same constants as TF-GAN's `inception_metrics` (a test checks they agree).
INCEPTION_TFHUB = "https://tfhub.dev/tensorflow/tfgan/eval/inception/1"
INCEPTION_IMAGE_SIZE = 299
POOL_KEY = "pool_3"
LOGITS_KEY = "logits"
INCEPTION_PATH_ENV = "GANZOO_INCEPTION_PATH"


def _is_handle(source: str) -> bool:
    return "://" in source


def _load_local(path: str):
    if not os.path.isfile(os.path.join(path, "saved_model.pb")):
        raise OSError(f"no SavedModel (saved_model.pb) in {path!r}")
    return tf.saved_model.load(path)


def _load_hub(handle: str):
    try:
        import tensorflow_hub as hub
    except ImportError as e:
        raise OSError("tensorflow_hub is not installed (`pip install tensorflow-hub`)") from e
    return hub.load(handle)


def _load_inception(path_or_handle: str | os.PathLike | None):
    """Returns (loaded SavedModel, its source); raises EvalError saying what was tried."""
    if path_or_handle is not None:
        source, origin = os.fspath(path_or_handle), "the given path"
    elif os.environ.get(INCEPTION_PATH_ENV):
        source, origin = os.environ[INCEPTION_PATH_ENV], f"${INCEPTION_PATH_ENV}"
    else:
        source, origin = INCEPTION_TFHUB, f"TF-Hub (${INCEPTION_PATH_ENV} is not set)"
    try:
        model = _load_hub(source) if _is_handle(source) else _load_local(source)
    except Exception as e:  # Any failure to load gets the same advice.
        raise EvalError(
            f"Cannot load the Inception-v3 network that FID, IS and KID use. Tried {origin}: "
            f"{source} ({type(e).__name__}: {e}). To evaluate offline, download the TF-Hub "
            f"model once on a machine with internet ({INCEPTION_TFHUB}?tf-hub-format=compressed "
            "is a .tar.gz; a folder from a TF-Hub cache, TFHUB_CACHE_DIR, works too), unpack it "
            "into a folder holding saved_model.pb and variables/, and point "
            f"`--set eval.inception_path=DIR` or the environment variable {INCEPTION_PATH_ENV} "
            "at that folder."
        ) from e
    return model, source


def _call_model(model, images: tf.Tensor):
    if callable(model):
        return model(images)
    # TF1-style hub exports: a signature with one image input.
    signature = model.signatures.get("serving_default") or model.signatures["default"]
    (input_name,) = signature.structured_input_signature[1]
    return signature(**{input_name: images})


class InceptionExtractor:
    """Runs TF-GAN's Inception-v3 on images: `extractor(images) -> (pool_3, logits)`.

    Loads from `path_or_handle` (a local SavedModel folder, or a TF-Hub handle if it contains
    "://"), else from the folder in $GANZOO_INCEPTION_PATH, else from TF-Hub's
    `INCEPTION_TFHUB`. Images are floats in [-1, 1], NHWC, any size, 1 or 3 channels (gray is
    tiled to RGB), resized bilinearly to 299x299 as TF-GAN's examples do.
    """

    def __init__(self, path_or_handle: str | os.PathLike | None = None) -> None:
        self._model, self.source = _load_inception(path_or_handle)
        self._forward = tf.function(
            self._forward_impl,
            input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)],
        )
        probe = tf.zeros([1, INCEPTION_IMAGE_SIZE, INCEPTION_IMAGE_SIZE, 3])
        try:
            pool, logits = self._forward(probe)
        except (KeyError, TypeError, ValueError) as e:
            raise EvalError(
                f"The network loaded from {self.source} is not TF-GAN's Inception: calling it "
                f"failed ({type(e).__name__}: {e}). Expected outputs {POOL_KEY!r} and "
                f"{LOGITS_KEY!r}."
            ) from e
        self.pool_dim, self.num_classes = int(pool.shape[-1]), int(logits.shape[-1])

    def _forward_impl(self, images: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        size = [INCEPTION_IMAGE_SIZE, INCEPTION_IMAGE_SIZE]
        resized = tf.image.resize(images, size, method=tf.image.ResizeMethod.BILINEAR)
        outputs = _call_model(self._model, resized)
        n = tf.shape(images)[0]
        # TF-GAN flattens every output; pool_3 can come as [N, 1, 1, 2048].
        pool = tf.reshape(tf.cast(outputs[POOL_KEY], tf.float32), [n, -1])
        logits = tf.reshape(tf.cast(outputs[LOGITS_KEY], tf.float32), [n, -1])
        return pool, logits

    def __call__(self, images: np.ndarray, batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """Returns (pool_3 features [N, 2048], logits [N, 1008]) as float32 numpy arrays."""
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[-1] not in (1, 3) or images.shape[0] < 1:
            raise ValueError(
                f"Received: images with shape {images.shape}. "
                "Expected [N, height, width, 1 or 3] with N >= 1."
            )
        if not np.issubdtype(images.dtype, np.floating):
            raise ValueError(
                f"Received: images of dtype {images.dtype}. "
                "Expected floats in [-1, 1]; convert uint8 with images / 127.5 - 1."
            )
        pools, logits = [], []
        for start in range(0, images.shape[0], batch_size):
            batch = images[start : start + batch_size].astype(np.float32)
            if batch.shape[-1] == 1:
                batch = np.repeat(batch, 3, axis=-1)
            pool, logit = self._forward(tf.constant(batch))
            pools.append(pool.numpy())
            logits.append(logit.numpy())
        return np.concatenate(pools), np.concatenate(logits)
