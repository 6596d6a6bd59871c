"""Embedded 2-D mode-collapse benchmarks (ring8, grid25): Gaussian mixtures, no download needed.

Settings follow VEEGAN (Srivastava et al., 2017, arXiv:1705.07761) and PacGAN (Lin et al., 2018,
arXiv:1712.04086): ring8 is 8 Gaussians evenly spaced on a circle of radius 2 with std 0.02;
grid25 is 25 Gaussians on the grid {-4, -2, 0, 2, 4}^2 with std 0.05.
"""

from __future__ import annotations

import numpy as np

from ganzoo.errors import ConfigError
from ganzoo.registry import unknown_name_message

SYNTHETIC_NAMES = ("ring8", "grid25")

_STD = {"ring8": 0.02, "grid25": 0.05}


def check_name(name: str) -> None:
    """ConfigError naming the closest benchmarks for a name that is none of them."""
    if name not in SYNTHETIC_NAMES:
        raise ConfigError(unknown_name_message("synthetic dataset", name, SYNTHETIC_NAMES))


def mode_centers(name: str) -> np.ndarray:
    """The mixture's K mode centres, float32 [K, 2]."""
    check_name(name)
    if name == "ring8":
        angles = 2.0 * np.pi * np.arange(8) / 8
        centers = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    else:
        axis = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
        xs, ys = np.meshgrid(axis, axis, indexing="ij")
        centers = np.stack([xs.ravel(), ys.ravel()], axis=1)
    return centers.astype(np.float32)


def mode_std(name: str) -> float:
    """The standard deviation of every mode (isotropic)."""
    check_name(name)
    return _STD[name]


def sample_synthetic_with_modes(name: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` points, float32 [n, 2], and the index of the mode each was drawn from, int32 [n]."""
    centers = mode_centers(name)
    if n < 0:
        raise ConfigError(f"Received: n={n}. Expected a number of points >= 0.")
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, len(centers), size=n).astype(np.int32)
    noise = rng.normal(0.0, mode_std(name), size=(n, 2))
    return (centers[modes] + noise).astype(np.float32), modes


def sample_synthetic(name: str, n: int, seed: int) -> np.ndarray:
    """`n` points, float32 [n, 2]: a mode chosen uniformly, plus isotropic Gaussian noise."""
    return sample_synthetic_with_modes(name, n, seed)[0]
