"""Tests for the Inception feature extractor on a small stand-in SavedModel."""

import urllib.error

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.errors import EvalError
from ganzoo.metrics import inception
from ganzoo.metrics.inception import InceptionExtractor
from ganzoo.metrics.tfgan_compat import load_tfgan_eval


class StandIn(tf.Module):
    """Inception's interface: images [N, H, W, 3] -> {"pool_3": [N, 1, 1, 2048], "logits": ...}.

    pool_3[:, 0, 0, :2] report the input's height and width, the rest is a linear map of the
    per-channel means, so tests can check resizing, gray tiling and batching.
    """

    def __init__(self):
        rng = np.random.default_rng(0)
        self.w_pool = tf.Variable(rng.normal(size=(3, 2046)).astype(np.float32))
        self.w_logits = tf.Variable(0.01 * rng.normal(size=(2048, 1008)).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
    def __call__(self, images):
        n = tf.shape(images)[0]
        size = tf.cast(tf.shape(images)[1:3], tf.float32)
        pool = tf.concat(
            [tf.tile(size[None], [n, 1]), tf.reduce_mean(images, [1, 2]) @ self.w_pool], axis=1
        )
        return {"pool_3": tf.reshape(pool, [-1, 1, 1, 2048]), "logits": pool @ self.w_logits}


@pytest.fixture(scope="module")
def stand_in_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("inception")
    tf.saved_model.save(StandIn(), str(path))
    return path


@pytest.fixture(scope="module")
def extractor(stand_in_path):
    return InceptionExtractor(stand_in_path)


def expected_pool(channel_means: np.ndarray) -> np.ndarray:
    w = np.random.default_rng(0).normal(size=(3, 2046)).astype(np.float32)
    return channel_means @ w


def test_constants_match_tfgan():
    tfgan_eval = load_tfgan_eval()
    assert inception.INCEPTION_TFHUB == tfgan_eval.INCEPTION_TFHUB
    assert inception.INCEPTION_IMAGE_SIZE == tfgan_eval.INCEPTION_DEFAULT_IMAGE_SIZE
    assert inception.POOL_KEY == tfgan_eval.INCEPTION_FINAL_POOL
    assert inception.LOGITS_KEY == tfgan_eval.INCEPTION_OUTPUT


def test_shapes_resize_and_batching(extractor):
    images = np.random.default_rng(1).uniform(-1, 1, size=(5, 28, 20, 3)).astype(np.float32)
    pool, logits = extractor(images, batch_size=2)
    assert pool.shape == (5, 2048) and logits.shape == (5, 1008)
    assert pool.dtype == np.float32
    np.testing.assert_array_equal(pool[:, :2], 299.0)
    whole_pool, whole_logits = extractor(images)
    np.testing.assert_allclose(pool, whole_pool, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logits, whole_logits, rtol=1e-5, atol=1e-6)


def test_gray_is_tiled_to_rgb(extractor):
    gray = np.full((2, 8, 8, 1), 0.5, np.float32)
    pool, _ = extractor(gray)
    np.testing.assert_allclose(pool[:, 2:], expected_pool(np.full((2, 3), 0.5)), rtol=1e-5)


def test_env_var_path(stand_in_path, monkeypatch):
    monkeypatch.setenv(inception.INCEPTION_PATH_ENV, str(stand_in_path))
    assert InceptionExtractor().source == str(stand_in_path)


def test_handle_goes_through_tfhub(stand_in_path, monkeypatch):
    hub = pytest.importorskip("tensorflow_hub")
    loaded = []
    monkeypatch.setattr(
        hub, "load", lambda h: loaded.append(h) or tf.saved_model.load(str(stand_in_path))
    )
    InceptionExtractor(inception.INCEPTION_TFHUB)
    assert loaded == [inception.INCEPTION_TFHUB]


def test_offline_error_says_how_to_get_weights(monkeypatch):
    hub = pytest.importorskip("tensorflow_hub")

    def offline(handle):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(hub, "load", offline)
    monkeypatch.delenv(inception.INCEPTION_PATH_ENV, raising=False)
    with pytest.raises(EvalError) as info:
        InceptionExtractor()
    message = str(info.value)
    assert "Name or service not known" in message
    assert "eval.inception_path" in message and "GANZOO_INCEPTION_PATH" in message
    assert inception.INCEPTION_TFHUB in message


def test_missing_local_folder(tmp_path):
    with pytest.raises(EvalError, match="saved_model.pb"):
        InceptionExtractor(tmp_path / "nowhere")


def test_wrong_outputs(tmp_path):
    class Other(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
        def __call__(self, images):
            return {"features": tf.reduce_mean(images, [1, 2])}

    tf.saved_model.save(Other(), str(tmp_path))
    with pytest.raises(EvalError, match="pool_3"):
        InceptionExtractor(tmp_path)


def test_rejects_integer_images(extractor):
    with pytest.raises(ValueError, match="127.5"):
        extractor(np.zeros((1, 8, 8, 3), np.uint8))
