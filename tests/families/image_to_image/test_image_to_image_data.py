"""Paired tasks: masks (coverage, determinism), degradations, config errors, the pipeline."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.config import apply_overrides, base_config
from ganzoo.errors import ConfigError
from ganzoo.experiment import validate
from ganzoo.families.image_to_image import data as paired


def image_to_image(**kw):
    c = base_config().image_to_image
    c.update(**kw)
    return c


def test_center_mask_covers_its_fraction_in_the_middle():
    m = paired.center_mask(28, 0.25)[..., 0]
    assert m.sum() == 14 * 14 and m[7:21, 7:21].all() and m.mean() == 0.25
    assert paired.center_mask(32, 0.25)[..., 0].sum() == 16 * 16


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.4])
def test_free_form_masks_cover_at_least_the_fraction(fraction):
    m = paired.free_form_masks(64, 28, fraction, tf.constant([3, 7], tf.int64)).numpy()
    assert m.shape == (64, 28, 28, 1) and set(np.unique(m)) == {0.0, 1.0}
    coverage = m.mean(axis=(1, 2, 3))
    assert (coverage >= fraction).all()
    assert fraction <= coverage.mean() <= fraction + 0.12, coverage.mean()
    assert len({m[i].tobytes() for i in range(64)}) == 64  # every mask its own


def test_free_form_masks_are_deterministic_in_the_seed():
    a = paired.free_form_masks(4, 16, 0.25, tf.constant([1, 2], tf.int64)).numpy()
    b = paired.free_form_masks(4, 16, 0.25, tf.constant([1, 2], tf.int64)).numpy()
    c = paired.free_form_masks(4, 16, 0.25, tf.constant([1, 3], tf.int64)).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_inpaint_inputs_hide_the_holes_and_carry_the_mask():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    mask = np.zeros((2, 8, 8, 1), "float32")
    mask[:, 2:5, 3:6] = 1
    inputs = paired.inpaint_inputs(x, mask).numpy()
    assert inputs.shape == (2, 8, 8, 4)
    assert (inputs[:, 2:5, 3:6, :3] == 0).all() and (inputs[..., 3] == 2 * mask[..., 0] - 1).all()
    inputs[:, 2:5, 3:6, :3] = 0.7  # any hole value: split re-zeroes it
    known, m = (t.numpy() for t in paired.split_inpaint_inputs(tf.constant(inputs)))
    np.testing.assert_array_equal(m, mask)
    np.testing.assert_allclose(known, x * (1 - mask))


def test_sr_and_colorize_degradations_against_numpy():
    x = np.random.default_rng(1).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    low = paired.degrade(image_to_image(task="sr", scale=4), tf.constant(x), [0, 0]).numpy()
    want = x.reshape(2, 2, 4, 2, 4, 3).mean(axis=(2, 4))  # the mean of each 4x4 block
    np.testing.assert_allclose(low, want, atol=1e-6)
    gray = paired.degrade(image_to_image(task="colorize"), tf.constant(x), [0, 0]).numpy()
    luma = ((x + 1) / 2) @ np.array([0.2989, 0.587, 0.114], "float32")
    np.testing.assert_allclose(gray[..., 0], luma * 2 - 1, atol=1e-3)


def config(**overrides):
    c = base_config()
    c.model.update(arch="pix2pix")
    c.image_to_image.update(task="inpaint")
    return validate(apply_overrides(c, overrides))


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"image_to_image.task": "colorize"},
            r"image_to_image.task='colorize' with model.channels=1. Expected model.c",
        ),
        (
            {"image_to_image.task": "sr", "model.resolution": 28, "image_to_image.scale": 3},
            r"image_to_image.scale=3. Expected a",
        ),
        (
            {"image_to_image.task": "sr", "model.arch": "srgan", "image_to_image.scale": 7},
            r"image_to_image.scale=7 for SRGAN",
        ),
        ({"model.arch": "srgan"}, r"model.arch='srgan' with image_to_image.task='inpaint'"),
        ({"image_to_image.task": "none"}, r"model.arch='pix2pix' with image_to_image.task='none'"),
        ({"model.arch": "dcgan"}, r"image_to_image.task='inpaint' with model.arch='dcgan'"),
        (
            {"image_to_image.task": "denoise"},
            r"image_to_image.task='denoise'. Expected one of none, inpaint",
        ),
        ({"image_to_image.mask": "ring"}, r"image_to_image.mask='ring'"),
        ({"image_to_image.mask_fraction": 1.0}, r"image_to_image.mask_fraction=1.0"),
        ({"model.resolution": 30}, r"model.resolution=30 with U-Net depth 1"),
        ({"eval.every": 100}, r"eval.every=100.*--mode=eval"),
        ({"image_to_image.content_loss": "l2"}, r"image_to_image.content_loss='l2'"),
    ],
)
def test_config_errors_say_what_was_received(overrides, message):
    with pytest.raises(ConfigError, match=message):
        config(**overrides)


def test_paired_pipeline_yields_targets_then_inputs(tmp_path):
    import PIL.Image

    rng = np.random.default_rng(0)
    for i in range(4):
        PIL.Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(
            tmp_path / f"{i}.png"
        )
    c = config(
        **{
            "data.source": "folder",
            "data.dir": str(tmp_path),
            "model.resolution": 16,
            "model.channels": 3,
            "image_to_image.task": "sr",
            "train.batch_size": 2,
        }
    )
    targets, inputs = next(iter(paired.build_paired_dataset(c)))
    assert targets.shape == (2, 16, 16, 3) and inputs.shape == (2, 4, 4, 3)
    assert paired.input_shape(c) == (4, 4, 3)
    np.testing.assert_allclose(paired.downsample(targets, 4), inputs, atol=1e-6)
