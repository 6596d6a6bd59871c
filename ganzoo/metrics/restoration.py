"""Restoration metrics (PSNR, SSIM via `tf.image`) and the non-learned baselines that GANs are
measured against: bicubic upsampling (SR), mean fill and OpenCV's Telea inpainting (holes),
the grayscale image itself (colourisation).

Images are float arrays in the model range [-1, 1]; the metrics map them to [0, 1] first, so
PSNR and SSIM use max_val = 1 as for 8-bit images scaled to [0, 1].
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

SSIM_FILTER_SIZE, SSIM_SIGMA, SSIM_K1, SSIM_K2 = 11, 1.5, 0.01, 0.03  # Wang et al. 2004


def _unit(images) -> tf.Tensor:
    return tf.clip_by_value((tf.convert_to_tensor(images, tf.float32) + 1.0) * 0.5, 0.0, 1.0)


def psnr(images, targets) -> np.ndarray:
    """Per-image peak signal-to-noise ratio in dB, [N, H, W, C] x2 -> [N]:

    PSNR = 10 log10(MAX^2 / MSE), MAX = 1,

    the MSE over all pixels and channels of the images mapped from [-1, 1] to [0, 1] (values
    outside are clipped first), so the same number as 10 log10(2^2 / MSE) on the [-1, 1]
    images (`tf.image.psnr`, max_val=1). Range (0, +inf]: higher is closer; about 20-40 dB
    for restorations of 8-bit images. Identical images (MSE = 0) give +inf, the exact value:
    average with `mean_psnr`, not np.mean.
    """
    return tf.image.psnr(_unit(images), _unit(targets), max_val=1.0).numpy()


def mean_psnr(values) -> float:
    """The mean of per-image PSNRs (`psnr`) with the +inf of identical pairs left out: one
    perfect reconstruction would make the mean +inf and hide the others. +inf when every pair
    is identical; NaN (a broken output) is kept, so it shows in the mean."""
    values = np.asarray(values, np.float64).reshape(-1)
    finite_or_nan = values[~np.isposinf(values)]
    if finite_or_nan.size == 0:
        return float("inf") if values.size else float("nan")
    return float(np.mean(finite_or_nan))


def ssim(images, targets) -> np.ndarray:
    """Per-image SSIM [N] (`tf.image.ssim`, max_val=1, 11x11 Gaussian window sigma 1.5,
    k1=0.01, k2=0.03, 'valid' windows): the mean over windows and channels of
    (2 mu_x mu_y + C1)(2 s_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2)),
    C1 = (k1)^2, C2 = (k2)^2."""
    return tf.image.ssim(
        _unit(images),
        _unit(targets),
        max_val=1.0,
        filter_size=SSIM_FILTER_SIZE,
        filter_sigma=SSIM_SIGMA,
        k1=SSIM_K1,
        k2=SSIM_K2,
    ).numpy()


def bicubic_upsample(low_res, size: int) -> np.ndarray:
    """[N, h, w, C] -> [N, size, size, C]: bicubic interpolation (`tf.image.resize`), clipped
    to [-1, 1] (bicubic overshoots at edges)."""
    out = tf.image.resize(tf.convert_to_tensor(low_res, tf.float32), [size, size], "bicubic")
    return tf.clip_by_value(out, -1.0, 1.0).numpy()


def mean_fill(known, mask) -> np.ndarray:
    """Holes (mask 1) filled with the mean of the image's known pixels, per channel."""
    known, mask = np.asarray(known, np.float32), np.asarray(mask, np.float32)
    keep = 1.0 - mask
    mean = (known * keep).sum(axis=(1, 2), keepdims=True) / np.maximum(
        keep.sum(axis=(1, 2), keepdims=True), 1.0
    )
    return known * keep + mean * mask


def telea_fill(known, mask, radius: int = 3) -> np.ndarray:
    """Holes filled by OpenCV's fast-marching inpainting (Telea 2004, `cv2.INPAINT_TELEA`) with
    neighbourhood `radius`, on the images quantised to 8 bits; known pixels kept as they are."""
    try:
        import cv2
    except ImportError:
        from ganzoo.errors import EvalError

        raise EvalError(
            "Received: no OpenCV. Expected `pip install opencv-python-headless` (or "
            "ganzoo[apps]) for the Telea inpainting baseline."
        ) from None
    known, mask = np.asarray(known, np.float32), np.asarray(mask, np.float32)
    pixels = np.clip(np.round((known + 1.0) * 127.5), 0, 255).astype(np.uint8)
    holes = (mask[..., 0] > 0.5).astype(np.uint8)
    out = np.empty_like(known)
    for i in range(len(known)):
        filled = cv2.inpaint(pixels[i], holes[i], radius, cv2.INPAINT_TELEA)
        out[i] = filled.reshape(known.shape[1:]).astype(np.float32) / 127.5 - 1.0
    return known * (1.0 - mask) + out * mask


def gray_to_rgb(gray) -> np.ndarray:
    """The colourisation baseline: the luma copied to R, G and B."""
    return np.repeat(np.asarray(gray, np.float32), 3, axis=-1)
