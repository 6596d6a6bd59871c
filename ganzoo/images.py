"""Turning generator outputs into pictures: image grids, 2-D scatter plots, PNG files."""

from __future__ import annotations

import math

import numpy as np

from ganzoo.workdir import atomic_write_bytes

# The side, in pixels, below which a grid upscales its images (a 28x28 image is hard to read).
READABLE_SIDE = 84


def to_uint8(images: np.ndarray) -> np.ndarray:
    """[-1, 1] floats -> uint8 [0, 255]."""
    return np.clip(np.round((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def upscale(pixels: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upscaling of [..., H, W, C] pixels by an integer factor."""
    if scale <= 1:
        return pixels
    return np.repeat(np.repeat(pixels, scale, axis=-3), scale, axis=-2)


def readable_scale(height: int, width: int, min_side: int = READABLE_SIDE) -> int:
    """The smallest integer factor that brings an image's longer side to `min_side` pixels
    (28 -> x3 = 84, 32 -> x3, 64 -> x2); 1 for images that large already."""
    return max(1, math.ceil(min_side / max(height, width, 1)))


def image_grid(
    images: np.ndarray, cols: int = 8, pad: int = 2, min_side: int = READABLE_SIDE
) -> np.ndarray:
    """NHWC images in [-1, 1] -> one uint8 HxWxC picture, `cols` per row, padded in white.

    Each image is first upscaled (nearest neighbour, `readable_scale`) so its longer side is
    at least `min_side` pixels: a 28x28 digit is 84x84 in the picture; 0 keeps the pixels.
    """
    images = to_uint8(images)
    images = upscale(images, readable_scale(*images.shape[1:3], min_side))
    n, h, w, c = images.shape
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, c), 255, np.uint8)
    for i in range(n):
        r, k = divmod(i, cols)
        y, x = pad + r * (h + pad), pad + k * (w + pad)
        grid[y : y + h, x : x + w] = images[i]
    return grid


def scatter_plot(
    points: np.ndarray,
    reference: np.ndarray | None = None,
    size: int = 400,
    extent: float | None = None,
) -> np.ndarray:
    """2-D points -> uint8 HxWx3 picture: reference points grey, samples blue, axes at 0."""
    points = np.asarray(points, np.float32)
    everything = points if reference is None else np.concatenate([points, reference])
    finite = everything[np.isfinite(everything).all(axis=1)]
    if extent is None:
        extent = float(np.abs(finite).max() * 1.1) if len(finite) else 1.0
        extent = max(extent, 1e-3)
    img = np.full((size, size, 3), 255, np.uint8)
    mid = size // 2
    img[mid, :] = img[:, mid] = 220

    def draw(pts, colour):
        pts = pts[np.isfinite(pts).all(axis=1)]
        px = np.round((pts[:, 0] / extent + 1) * 0.5 * (size - 1)).astype(int)
        py = np.round((1 - (pts[:, 1] / extent + 1) * 0.5) * (size - 1)).astype(int)
        for dx in (0, 1):
            for dy in (0, 1):
                x, y = px + dx, py + dy
                ok = (x >= 0) & (x < size) & (y >= 0) & (y < size)
                img[y[ok], x[ok]] = colour

    if reference is not None:
        draw(np.asarray(reference, np.float32), (170, 170, 170))
    draw(points, (31, 119, 180))
    return img


def write_png(path: str, image: np.ndarray) -> None:
    """Writes a uint8 HxWxC array as PNG, atomically (a temp file, then a rename)."""
    import tensorflow as tf

    atomic_write_bytes(path, tf.io.encode_png(np.asarray(image, np.uint8)).numpy())


def picture(samples: np.ndarray, cols: int = 8, reference: np.ndarray | None = None) -> np.ndarray:
    """The right picture for a batch of samples: a grid for images, a scatter plot for 2-D points."""
    samples = np.asarray(samples)
    if samples.ndim == 4:
        return image_grid(samples, cols)
    if samples.ndim == 2 and samples.shape[1] == 2:
        return scatter_plot(samples, reference)
    raise ValueError(
        f"Received samples of shape {samples.shape}. Expected NHWC images or 2-D points."
    )
