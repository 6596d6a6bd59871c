"""The evaluator's checks for cheating and collapse on the bar images: nearest training images,
FID against the training split, and the class coverage of unconditional samples."""

import math

import numpy as np
import pytest
from test_eval_lib import BarExtractor, image_config, write_bars_idx

import ganzoo
from ganzoo import eval_lib, images
from ganzoo.data import idx
from ganzoo.metrics import evaluator as evaluator_lib
from ganzoo.metrics.fid import frechet_distance_from_stats

MEMORISATION_KEYS = {
    "fid_train",
    "fid_gap",
    "nn_feature_distance_mean",
    "nn_pixel_distance_mean",
    "nn_feature_distance_real_mean",
    "nn_pixel_distance_real_mean",
}
COVERAGE_KEYS = {"classes_covered", "num_classes", "class_histogram", "class_kl"}


@pytest.fixture(scope="module")
def bars_dir(tmp_path_factory):
    return write_bars_idx(str(tmp_path_factory.mktemp("idx")))


@pytest.fixture
def bars(monkeypatch):
    """The bar-reading extractor, as the domain classifier."""
    extractor = BarExtractor()
    monkeypatch.setattr(
        evaluator_lib, "build_extractor", lambda config, kind, stream=None: extractor
    )
    monkeypatch.setattr(evaluator_lib, "resolve_image_extractor", lambda config: "classifier")
    return extractor


def split_images(bars_dir, split):
    """The split's images as the model sees them, [-1, 1], and their labels."""
    pixels, labels = idx.load_idx_split(bars_dir, split)
    return pixels[..., None].astype(np.float64) / 255 * 2 - 1, labels


def in_batches(images, size=16):
    return iter([images[i : i + size].astype(np.float32) for i in range(0, len(images), size)])


def brute_nearest(queries, references):
    q, r = queries.reshape(len(queries), -1), references.reshape(len(references), -1)
    d = np.sqrt(((q[:, None, :].astype(np.float64) - r[None, :, :]) ** 2).sum(axis=2))
    return d.min(axis=1), d.argmin(axis=1)


def frechet(a, b):
    return frechet_distance_from_stats(a.mean(0), np.cov(a.T), b.mean(0), np.cov(b.T))


def test_training_split_exists_only_for_split_sources_and_another_split():
    assert evaluator_lib.training_split(ganzoo.get_experiment("fashion_mnist_dcgan")) == "train"
    same = ganzoo.get_experiment("fashion_mnist_dcgan", {"eval.split": "train"})
    folder = ganzoo.get_experiment(
        "fashion_mnist_dcgan", {"data.source": "folder", "data.dir": "/images"}
    )
    assert evaluator_lib.training_split(same) == evaluator_lib.training_split(folder) == ""


def test_memorising_noise_and_one_class_generators(bars_dir, bars, tmp_path):
    config = image_config(bars_dir, tmp_path / "cache")
    evaluator = eval_lib.Evaluator(config, memorisation=True)
    train, train_labels = split_images(bars_dir, "train")
    test, _ = split_images(bars_dir, "test")
    train_features, _ = bars(train.astype(np.float32))
    np.testing.assert_allclose(evaluator.train.pixels, train.reshape(200, -1), atol=1e-6)

    # Memorising: the samples are training images 0..39 (classes 0..9 four times each).
    copied = evaluator.evaluate_batches(in_batches(train[:40]))
    m = copied["metrics"]
    assert MEMORISATION_KEYS | COVERAGE_KEYS <= set(m)
    assert m["nn_pixel_distance_mean"] < 1e-4 and m["nn_feature_distance_mean"] < 1e-4
    assert m["fid_train"] < 1e-6  # the training reference is the same 40 images
    assert m["fid_gap"] == pytest.approx(m["fid_train"] - m["fid"])
    assert m["fid"] == pytest.approx(frechet(bars(test[:40])[0], bars(train[:40])[0]), rel=1e-4)
    # The floor: the first 40 test images' nearest training images, brute force.
    test_features = bars(test[:40].astype(np.float32))[0]
    want = brute_nearest(test_features, train_features)[0].mean()
    assert m["nn_feature_distance_real_mean"] == pytest.approx(want, rel=1e-5)
    want = brute_nearest(test[:40], train)[0].mean()
    assert m["nn_pixel_distance_real_mean"] == pytest.approx(want, rel=1e-5)
    assert m["classes_covered"] == m["num_classes"] == 10 and m["class_kl"] == pytest.approx(0)
    assert copied["train_split"] == "train" and copied["train_stats"].endswith(".npz")

    # Noise: far from every training image, and its numbers are the brute-force ones.
    noise = np.random.default_rng(0).uniform(-1, 1, size=(40, 28, 28, 1))
    m = evaluator.evaluate_batches(in_batches(noise))["metrics"]
    distances, _ = brute_nearest(noise, train)
    assert m["nn_pixel_distance_mean"] == pytest.approx(distances.mean(), rel=1e-5)
    assert m["nn_pixel_distance_mean"] > 10  # vs 0 for copies; the floor is in between
    noise_features = bars(noise.astype(np.float32))[0]
    want = brute_nearest(noise_features, train_features)[0].mean()
    assert m["nn_feature_distance_mean"] == pytest.approx(want, rel=1e-5)
    assert m["fid_train"] == pytest.approx(frechet(bars(train[:40])[0], noise_features), rel=1e-4)

    # One class: training images of class 3 only; the real test histogram is uniform.
    class3 = np.repeat(train[train_labels == 3][:4], 10, axis=0)
    m = evaluator.evaluate_batches(in_batches(class3))["metrics"]
    assert m["classes_covered"] == 1
    assert m["class_histogram"] == [0.0, 0.0, 0.0, 1.0] + [0.0] * 6
    assert m["class_kl"] == pytest.approx(math.log(10), rel=1e-9)


def test_the_nearest_picture_shows_each_sample_beside_its_neighbours(bars_dir, bars, tmp_path):
    evaluator = eval_lib.Evaluator(image_config(bars_dir, tmp_path / "cache"), memorisation=True)
    train, _ = split_images(bars_dir, "train")
    noise = np.random.default_rng(1).uniform(-1, 1, size=(38, 28, 28, 1))
    samples = np.concatenate([noise[:20], train[[5, 17]], noise[20:]])  # two copies, 20 and 21
    evaluator.evaluate_batches(in_batches(samples))
    picture = evaluator.nearest_picture
    # 8 rows of: sample, gap, 3 nearest in pixels, gap, 3 nearest in features; 84x84 tiles.
    assert picture.shape == (8 * 86 + 2, 9 * 86 + 2, 1)

    def tile(row, col):
        return picture[2 + 86 * row : 86 * (row + 1), 2 + 86 * col : 86 * (col + 1)]

    def shown(image):
        return images.upscale(images.to_uint8(image[None]), 3)[0]

    # The copies are the samples nearest to a training image: the first two rows, each with
    # itself as its nearest training image in pixels and in features.
    for row, index in enumerate([5, 17]):
        np.testing.assert_array_equal(tile(row, 0), shown(train[index]))
        np.testing.assert_array_equal(tile(row, 2), shown(train[index]))
        np.testing.assert_array_equal(tile(row, 6), shown(train[index]))
    assert (tile(0, 1) == 255).all() and (tile(0, 5) == 255).all()  # the gaps
    # The next row: the noise sample nearest to a training image, and its neighbours, found
    # by brute force in pixels and in the extractor's features.
    distances, nearest_pixels = brute_nearest(noise, train)
    sample = noise[np.argmin(distances)]
    np.testing.assert_array_equal(tile(2, 0), shown(sample))
    np.testing.assert_array_equal(tile(2, 2), shown(train[nearest_pixels[np.argmin(distances)]]))
    features = bars(sample[None].astype(np.float32))[0]
    _, nearest_features = brute_nearest(features, bars(train.astype(np.float32))[0])
    np.testing.assert_array_equal(tile(2, 6), shown(train[nearest_features[0]]))


def test_keys_are_left_out_where_a_check_does_not_apply(bars_dir, bars, tmp_path):
    def metrics(memorisation=True, **overrides):
        config = image_config(bars_dir, tmp_path / "cache", **overrides)
        evaluator = eval_lib.Evaluator(config, memorisation=memorisation)
        return evaluator.evaluate_batches(in_batches(split_images(bars_dir, "test")[0]))["metrics"]

    training = metrics(memorisation=False)  # evaluation during training: coverage only
    assert COVERAGE_KEYS <= set(training) and not MEMORISATION_KEYS & set(training)
    same_split = metrics(**{"data.split": "test"})  # test scored against test: no train split
    assert not MEMORISATION_KEYS & set(same_split)
    assert same_split["class_kl"] == 0.0  # the same real images on both sides, by construction
    conditional = {"model.conditioning": "concat", "model.num_classes": 10}
    config = image_config(bars_dir, tmp_path / "cache", **conditional)
    gan_metrics = eval_lib.Evaluator(config, memorisation=True).evaluate(_ClassGAN())["metrics"]
    assert "class_accuracy" in gan_metrics and not COVERAGE_KEYS & set(gan_metrics)
    assert MEMORISATION_KEYS <= set(gan_metrics)


class _ClassGAN:
    """A conditional 'GAN' drawing class k's bar for label k."""

    latent_dim = 4

    def __init__(self):
        import tensorflow as tf

        def generator(inputs, training=False):
            z, labels = inputs
            top = 2 * labels[:, None] + 2
            rows = tf.range(28)[None, :]
            bar = tf.cast((rows >= top) & (rows < top + 4), tf.float32)
            return (2.0 * bar[:, :, None] * tf.ones([1, 1, 28]) - 1.0 + 0.0 * z[:, :1, None])[
                ..., None
            ]

        self.sampling_generator = generator
