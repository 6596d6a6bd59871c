"""Temporal consistency of clips [N, T, H, W, C] in [-1, 1]: how much frames change from one to
the next, and whether one moving object can be followed through a clip. Pure numpy functions;
compare each with the same number on real clips (the real-data floor)."""

from __future__ import annotations

import numpy as np


def _clips(clips) -> np.ndarray:
    clips = np.asarray(clips, np.float64)
    if clips.ndim != 5 or clips.shape[1] < 2:
        raise ValueError(
            f"Received: clips of shape {clips.shape}. Expected [N, T, H, W, C] with T >= 2."
        )
    return clips


def frame_difference(clips) -> float:
    """Mean squared change between consecutive frames:

    D = 1 / (N (T - 1) H W C) * sum_{n, t < T-1} ||x[n, t+1] - x[n, t]||_2^2.

    0 for frozen clips; large for flicker (frames unrelated to each other).
    """
    clips = _clips(clips)
    return float(np.mean(np.square(np.diff(clips, axis=1))))


def object_tracks(clips, threshold: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(mass [N, T], centroid [N, T, 2] (row, col) in px) of each frame's foreground.

    With w = max(x - threshold, 0) summed over channels, mass_t = sum_{h,w} w and
    centroid_t = sum_{h,w} w (h, w) / mass_t (NaN where mass_t = 0).
    """
    clips = _clips(clips)
    weight = np.clip(clips - threshold, 0.0, None).sum(axis=-1)  # [N, T, H, W]
    mass = weight.sum(axis=(2, 3))
    rows = np.arange(weight.shape[2], dtype=np.float64)
    cols = np.arange(weight.shape[3], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        cy = (weight.sum(axis=3) * rows).sum(axis=2) / mass
        cx = (weight.sum(axis=2) * cols).sum(axis=2) / mass
    return mass, np.stack([cy, cx], axis=-1)


# Foreground: brighter than a quarter of full scale ([-1, 1] -> 0.25). Half scale missed the
# dim objects of a briefly trained generator altogether (its frames never exceed 0.4).
FOREGROUND = -0.5


def tracked_share(
    clips, max_jump: float, max_mass_change: float = 0.5, threshold: float = FOREGROUND
) -> float:
    """Share of consecutive frame pairs (t, t+1) in which the foreground is followed:

    tracked(t) = [m_t > 0 and m_{t+1} > 0 and |m_{t+1} - m_t| <= r max(m_t, m_{t+1}) and
                  ||c_{t+1} - c_t||_2 <= J],

    with m, c from `object_tracks(clips, threshold)`, r = `max_mass_change`, J = `max_jump` px.
    Real clips of objects moving at <= J px per frame score 1 (up to overlaps changing the
    mass); flicker, objects that appear, vanish or jump score lower. A still clip scores 1
    too: read it beside `frame_difference`.
    """
    mass, centroid = object_tracks(clips, threshold)
    m0, m1 = mass[:, :-1], mass[:, 1:]
    jump = np.linalg.norm(np.diff(centroid, axis=1), axis=-1)
    with np.errstate(invalid="ignore"):
        ok = (m0 > 0) & (m1 > 0)
        ok &= np.abs(m1 - m0) <= max_mass_change * np.maximum(m0, m1)
        ok &= np.nan_to_num(jump, nan=np.inf) <= max_jump
    return float(ok.mean())
