"""Paired image-to-image tasks built on the fly from any image dataset: the degradations
(inpainting masks, grayscale, x`scale` downsampling) and the (target, input) pipelines.

Everything is in the model range [-1, 1]. Conditioning inputs per task (`image_to_image.task`):
- inpaint: [R, R, C + 1], the image with its holes set to 0 (mid-gray) and the mask as the
  last channel (+1 = missing, -1 = known);
- colorize: [R, R, 1], the luma of an RGB target (`tf.image.rgb_to_grayscale`);
- sr: [R / s, R / s, C], the target area-downsampled by s (box average of s x s blocks).
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from ganzoo.config import Config, apply_overrides
from ganzoo.errors import ConfigError

TASKS = ("none", "inpaint", "colorize", "sr")
MASKS = ("center", "free")
# Free-form masks: this many strokes of STROKE_VERTICES vertices each are drawn, and the first
# k of them whose union covers at least the target fraction are kept.
MAX_STROKES, STROKE_VERTICES = 24, 4
EVAL_SEED_OFFSET = 1_000_003  # test-split masks come from another stream than training's


def center_mask(resolution: int, fraction: float) -> np.ndarray:
    """float32 [R, R, 1], 1 inside the centred square of side round(R sqrt(fraction)), else 0."""
    side = int(round(resolution * math.sqrt(fraction)))
    top = (resolution - side) // 2
    mask = np.zeros((resolution, resolution, 1), np.float32)
    mask[top : top + side, top : top + side] = 1.0
    return mask


def free_form_masks(batch: int, resolution: int, fraction: float, seed) -> tf.Tensor:
    """float32 [batch, R, R, 1] random free-form masks (1 = hole), deterministic in `seed`
    (a stateless seed: two ints).

    Each mask is a union of brush strokes: polylines of STROKE_VERTICES vertices (start
    uniform on the image, segments of length U[R/8, R/3] in uniform directions) with radius
    U[R/28, 2.5 R/28]. Strokes are added one at a time until the union covers at least
    `fraction` of the image (so a mask covers `fraction` plus at most one stroke's worth), or
    MAX_STROKES are used.
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 4)
    k, v, r = MAX_STROKES, STROKE_VERTICES, float(resolution)
    shape = [batch, k]
    start = tf.random.stateless_uniform(shape + [1, 2], seeds[0], 0.0, r)
    length = tf.random.stateless_uniform(shape + [v - 1, 1], seeds[1], r / 8, r / 3)
    angle = tf.random.stateless_uniform(shape + [v - 1, 1], seeds[2], 0.0, 2 * math.pi)
    radius = tf.random.stateless_uniform(shape + [1], seeds[3], r / 28, 2.5 * r / 28)
    steps = length * tf.concat([tf.cos(angle), tf.sin(angle)], axis=-1)
    vertices = tf.clip_by_value(tf.concat([start, start + tf.cumsum(steps, axis=2)], 2), 0, r)
    a, b = vertices[:, :, :-1, None, :], vertices[:, :, 1:, None, :]  # [B, K, V-1, 1, 2]
    ys, xs = tf.meshgrid(tf.range(r) + 0.5, tf.range(r) + 0.5, indexing="ij")
    points = tf.reshape(tf.stack([xs, ys], -1), [1, 1, 1, -1, 2])  # pixel centres [.., P, 2]
    ab, ap = b - a, points - a
    t = tf.reduce_sum(ap * ab, -1) / tf.maximum(tf.reduce_sum(ab * ab, -1), 1e-6)
    nearest = a + tf.clip_by_value(t, 0.0, 1.0)[..., None] * ab
    distance = tf.norm(points - nearest, axis=-1)  # [B, K, V-1, P]
    strokes = tf.reduce_any(distance <= radius[..., None], axis=2)  # [B, K, P]
    union = tf.cumsum(tf.cast(strokes, tf.float32), axis=1) > 0  # first k strokes, k = 1..K
    coverage = tf.reduce_mean(tf.cast(union, tf.float32), axis=-1)  # [B, K]
    enough = coverage >= fraction
    first = tf.where(tf.reduce_any(enough, -1), tf.argmax(tf.cast(enough, tf.int32), -1), k - 1)
    chosen = tf.gather(union, first, axis=1, batch_dims=1)  # [B, P]
    return tf.reshape(tf.cast(chosen, tf.float32), [batch, resolution, resolution, 1])


def masks(image_to_image: Config, batch, resolution: int, seed) -> tf.Tensor:
    """[batch, R, R, 1] masks of `image_to_image.mask` ("center": the same square for every image)."""
    if image_to_image.mask == "center":
        one = tf.constant(center_mask(resolution, image_to_image.mask_fraction))
        return tf.tile(one[None], [batch, 1, 1, 1])
    return free_form_masks(batch, resolution, image_to_image.mask_fraction, seed)


def inpaint_inputs(images: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
    """[B, R, R, C + 1]: the images with holes (mask 1) set to 0, and the mask as +-1."""
    return tf.concat([images * (1.0 - mask), 2.0 * mask - 1.0], axis=-1)


def split_inpaint_inputs(inputs: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """(known pixels with holes re-zeroed [B, R, R, C], mask in {0, 1} [B, R, R, 1]) of
    inpainting inputs; the mask channel is thresholded at 0, so any hole value is ignored."""
    mask = tf.cast(inputs[..., -1:] > 0.0, inputs.dtype)
    return inputs[..., :-1] * (1.0 - mask), mask


def to_gray(images: tf.Tensor) -> tf.Tensor:
    """RGB [-1, 1] -> luma [.., 1] in [-1, 1] (tf.image.rgb_to_grayscale's weights)."""
    return tf.image.rgb_to_grayscale((images + 1.0) * 0.5) * 2.0 - 1.0


def downsample(images: tf.Tensor, scale: int) -> tf.Tensor:
    """[B, R, R, C] -> [B, R / s, R / s, C]: the mean of each s x s block ("area")."""
    side = images.shape[1] // scale
    return tf.image.resize(images, [side, side], method="area")


def degrade(image_to_image: Config, targets: tf.Tensor, seed) -> tf.Tensor:
    """The conditioning inputs of a batch of targets [B, R, R, C] in [-1, 1] (module doc)."""
    if image_to_image.task == "inpaint":
        mask = masks(image_to_image, tf.shape(targets)[0], targets.shape[1], seed)
        return inpaint_inputs(targets, mask)
    if image_to_image.task == "colorize":
        return to_gray(targets)
    if image_to_image.task == "sr":
        return downsample(targets, image_to_image.scale)
    raise ConfigError(
        f"Received: image_to_image.task={image_to_image.task!r}. Expected one of {', '.join(TASKS[1:])}."
    )


def input_shape(config: Config) -> tuple[int, int, int]:
    """The shape of one conditioning input for `config`'s task."""
    r, c, task = config.model.resolution, config.model.channels, config.image_to_image.task
    if task == "inpaint":
        return (r, r, c + 1)
    if task == "colorize":
        return (r, r, 1)
    return (r // config.image_to_image.scale, r // config.image_to_image.scale, c)


def check_config(config: Config) -> None:
    """ConfigError for an image-to-image config that cannot work (called by ganzoo.experiment.validate)."""
    image_to_image, model = config.image_to_image, config.model
    if image_to_image.task not in TASKS:
        raise ConfigError(
            f"Received: image_to_image.task={image_to_image.task!r}. Expected one of {', '.join(TASKS)}."
        )
    paired_arch = model.arch in ("pix2pix", "srgan")
    if image_to_image.task == "none":
        if paired_arch:
            raise ConfigError(
                f"Received: model.arch={model.arch!r} with image_to_image.task='none'. Expected a task: "
                "--set image_to_image.task=inpaint|colorize|sr."
            )
        return
    if not paired_arch:
        raise ConfigError(
            f"Received: image_to_image.task={image_to_image.task!r} with model.arch={model.arch!r}. Expected "
            "model.arch pix2pix or srgan."
        )
    if config.data.source == "synthetic":
        raise ConfigError(
            f"Received: image_to_image.task={image_to_image.task!r} with data.source='synthetic'. Expected an image "
            "dataset."
        )
    if config.eval.every or config.eval.at_end:
        raise ConfigError(
            f"Received: eval.every={config.eval.every}, eval.at_end={config.eval.at_end} for an "
            "image-to-image model. Expected 0 and False: score it with --mode=eval "
            "(PSNR, SSIM, FID against the baselines)."
        )
    if image_to_image.mask not in MASKS or not 0.0 < image_to_image.mask_fraction < 1.0:
        raise ConfigError(
            f"Received: image_to_image.mask={image_to_image.mask!r}, image_to_image.mask_fraction={image_to_image.mask_fraction}. Expected "
            f"one of {', '.join(MASKS)} and a fraction in (0, 1)."
        )
    if image_to_image.task == "colorize" and model.channels != 3:
        raise ConfigError(
            f"Received: image_to_image.task='colorize' with model.channels={model.channels}. Expected "
            "model.channels=3: colourisation maps grayscale to RGB, so it needs colour data."
        )
    if image_to_image.task == "sr" and (
        image_to_image.scale < 2 or model.resolution % image_to_image.scale
    ):
        raise ConfigError(
            f"Received: model.resolution={model.resolution}, image_to_image.scale={image_to_image.scale}. Expected a "
            "scale >= 2 that divides the resolution (28 / 4 = 7, 32 / 4 = 8)."
        )
    if model.arch == "srgan" and image_to_image.task != "sr":
        raise ConfigError(
            f"Received: model.arch='srgan' with image_to_image.task={image_to_image.task!r}. Expected image_to_image.task=sr."
        )
    if model.arch == "srgan":
        from ganzoo.families.image_to_image.srgan import check_scale

        check_scale(image_to_image.scale)
    if (
        image_to_image.content_loss not in ("l1", "mse")
        or min(image_to_image.content_weight, image_to_image.adv_weight) < 0
    ):
        raise ConfigError(
            f"Received: image_to_image.content_loss={image_to_image.content_loss!r}, content_weight="
            f"{image_to_image.content_weight}, adv_weight={image_to_image.adv_weight}. Expected l1 or mse and "
            "weights >= 0."
        )
    if not 0.0 <= image_to_image.dropout < 1.0:
        raise ConfigError(
            f"Received: image_to_image.dropout={image_to_image.dropout}. Expected a value in [0, 1)."
        )


def pair_batches(config: Config, batches: tf.data.Dataset, seed_offset: int = 0):
    """Batches of targets -> (targets, inputs) batches; batch i's random masks use the
    stateless seed (config.seed + seed_offset, i), so a resumed run sees the same pairs."""
    image_to_image, seed = config.image_to_image, config.seed + seed_offset

    def pair(i, targets):
        return targets, degrade(image_to_image, targets, tf.stack([tf.cast(seed, tf.int64), i]))

    return batches.enumerate().map(pair, num_parallel_calls=tf.data.AUTOTUNE)


def build_paired_dataset(config: Config, repeat: bool = True) -> tf.data.Dataset:
    """Training batches (targets [B, R, R, C], inputs) in [-1, 1] for `config.image_to_image.task`.

    The real image comes first, its condition second, as in ConditionalGAN's (x, labels).
    """
    from ganzoo.data.pipeline import build_dataset

    batches = build_dataset(config, repeat=repeat)
    return pair_batches(config, batches).prefetch(tf.data.AUTOTUNE)


def split_pairs(config: Config, split: str, num: int = 0, batch_size: int = 250):
    """(targets, inputs) batches of the first `num` (0 = all) examples of `split`, in order,
    none dropped; masks from the evaluation seed stream."""
    from ganzoo.data.pipeline import build_dataset

    cfg = apply_overrides(
        config,
        {
            "data.split": split,
            "data.shuffle_buffer": 0,
            "data.cache": False,
            "data.max_examples": num,
            "train.batch_size": 1,
        },
    )
    batches = build_dataset(cfg, repeat=False).unbatch().batch(batch_size)
    return pair_batches(config, batches, EVAL_SEED_OFFSET)


def fixed_pairs(dataset: tf.data.Dataset, num: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `num` (targets, inputs) of a paired dataset, from an iterator of their own."""
    targets, inputs = next(iter(dataset.unbatch().take(num).batch(num)))
    return targets.numpy(), inputs.numpy()
