"""Moving-object clips: shapes, range, determinism, bouncing inside the canvas, TFDS moving_mnist."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from video_helpers import tiny_video_config, write_objects_idx

import ganzoo
from ganzoo.errors import ConfigError
from ganzoo.families.video import data as moving
from ganzoo.family import family_of


@pytest.fixture(scope="module")
def objects_dir(tmp_path_factory):
    return write_objects_idx(str(tmp_path_factory.mktemp("objects")))


def _first(config, split="train", num=6):
    return np.stack(list(moving.clips(config, split, num).as_numpy_iterator()))


def test_bounce_matches_a_reflection_loop():
    # Independent: step the point and reflect it off the walls by hand.
    start, velocity, travel, steps = 3.0, 2.5, 7.0, 12
    expected, p, v = [], start, velocity
    for _ in range(steps):
        expected.append(p)
        p += v
        if p > travel:
            p, v = 2 * travel - p, -v
        elif p < 0:
            p, v = -p, -v
    got = moving.bounce(tf.constant(start), tf.constant(velocity), steps, travel).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_render_pastes_at_the_corners_with_max_overlap():
    objects = np.zeros((2, 3, 3), np.float32)
    objects[0] = 0.5
    objects[1, 1, 1] = 1.0
    corners = np.array([[[0, 0], [2, 1]], [[0, 1], [4, 4]]], np.int32)  # [K=2, T=2, 2]
    got = moving.render(tf.constant(objects), tf.constant(corners), 7, 7).numpy()
    expected = np.zeros((2, 7, 7), np.float32)
    for t in range(2):
        for k in range(2):
            y, x = corners[k, t]
            window = expected[t, y : y + 3, x : x + 3]
            expected[t, y : y + 3, x : x + 3] = np.maximum(window, objects[k])
    np.testing.assert_array_equal(got, expected)


def test_clips_shape_range_and_determinism(objects_dir):
    config = tiny_video_config(objects_dir)
    a, b = _first(config), _first(config)
    assert a.shape == (6, 4, 16, 16, 1) and a.dtype == np.float32
    assert a.min() >= -1.0 and a.max() <= 1.0 and a.max() > 0.0
    np.testing.assert_array_equal(a, b)  # same seed, same clips
    other = _first(tiny_video_config(objects_dir, seed=1))
    assert not np.array_equal(a, other)
    test_split = _first(config, "test")
    assert not np.array_equal(a, test_split)  # splits get their own trajectories


def test_one_object_stays_whole_inside_the_frame_and_moves(objects_dir):
    config = tiny_video_config(objects_dir, **{"video.min_speed": 0.1, "video.max_speed": 0.2})
    clips = (_first(config, num=8) + 1.0) / 2.0  # [0, 1]
    mass = clips.sum(axis=(2, 3, 4))  # [N, T]
    # Nothing is cut off at the edges: every frame holds the whole object.
    np.testing.assert_allclose(mass, mass[:, :1].repeat(4, axis=1), rtol=1e-5)
    assert (mass > 0).all()
    moved = np.abs(np.diff(clips, axis=1)).sum(axis=(2, 3, 4)) > 0
    assert moved.mean() > 0.9  # at 1.6-3.2 px per frame the object moves nearly every frame


def test_training_batches_have_the_example_shape(objects_dir):
    config = tiny_video_config(objects_dir)
    batch = next(iter(ganzoo.build_dataset(config)))
    shape = family_of(config).example_shape(config)
    assert tuple(batch.shape) == (4, *shape) == (4, 4, 16, 16, 1)


def test_labels_are_refused(objects_dir):
    with pytest.raises(ConfigError, match="video GANs are unconditional"):
        config = tiny_video_config(objects_dir)
        family_of(config).dataset(config, with_labels=True)


def test_bad_video_settings_are_refused(objects_dir):
    with pytest.raises(ConfigError, match="video.frames=1"):
        tiny_video_config(objects_dir, **{"video.frames": 1})
    with pytest.raises(ConfigError, match="object_size=20"):
        tiny_video_config(objects_dir, **{"video.object_size": 20})
    with pytest.raises(ConfigError, match="DiffAugment transforms image"):
        tiny_video_config(objects_dir, **{"stabilizers.diff_augment": "translation"})


def test_tfds_moving_mnist_layout_under_mock_data():
    import experiments  # noqa: F401

    config = ganzoo.get_experiment(
        "video_moving_mnist",
        {"model.resolution": 32, "video.frames": 5, "train.batch_size": 2, "data.cache": False},
    )
    with tfds.testing.mock_data(num_examples=4):
        builder = tfds.builder("moving_mnist")
        assert builder.info.features["image_sequence"].shape == (20, 64, 64, 1)
        batch = next(iter(ganzoo.build_dataset(config))).numpy()
    assert batch.shape == (2, 5, 32, 32, 1) and batch.min() >= -1.0 and batch.max() <= 1.0
    with pytest.raises(ConfigError, match="Expected at most 20"):
        ganzoo.get_experiment("video_moving_mnist", {"video.frames": 21})
