"""Mode coverage of samples from a known mixture of Gaussians (rings and grids of 2-D modes)."""

from __future__ import annotations

import math

import numpy as np

# Added to every log argument so that empty modes contribute 0 * log(eps) = 0 to the KL.
KL_EPSILON = 1e-12


def mode_metrics(
    samples: np.ndarray,
    centers: np.ndarray,
    std: float,
    threshold: float = 3.0,
    min_count: int = 1,
) -> dict[str, float | int]:
    """Modes covered, high-quality fraction and KL from uniform of a mixture's samples.

    A sample is high quality when |x - c_nearest| <= threshold * std, and then belongs to
    its nearest center. With n_k the high-quality samples of mode k (K modes, H = sum_k n_k,
    N samples):

    modes_covered         = #{k : n_k >= min_count},
    high_quality_fraction = H / N,
    kl_to_uniform         = KL(p || U) = sum_k p_k log((p_k + eps) / (1/K + eps)),
                            p_k = n_k / H, eps = KL_EPSILON (so empty modes add 0);

    0 for a perfectly balanced histogram, log K when every sample falls in one mode, and NaN
    when there is no high-quality sample at all.
    """
    samples = np.asarray(samples, np.float64)
    centers = np.asarray(centers, np.float64)
    if samples.ndim != 2 or centers.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"Received: samples {samples.shape}, centers {centers.shape}. "
            "Expected 2-D arrays [num, dim] with the same dim."
        )
    if samples.shape[0] < 1 or centers.shape[0] < 1 or std <= 0 or min_count < 1:
        raise ValueError(
            f"Received: {samples.shape[0]} samples, {centers.shape[0]} centers, std={std}, "
            f"min_count={min_count}. Expected at least 1 of each, std > 0 and min_count >= 1."
        )
    num_modes = centers.shape[0]
    dist = np.stack([np.linalg.norm(samples - c, axis=1) for c in centers], axis=1)
    nearest = dist.argmin(axis=1)
    good = dist[np.arange(samples.shape[0]), nearest] <= threshold * std
    counts = np.bincount(nearest[good], minlength=num_modes)
    total = int(counts.sum())
    if total:
        p = counts / total
        kl = float(np.sum(p * np.log((p + KL_EPSILON) / (1.0 / num_modes + KL_EPSILON))))
    else:
        kl = math.nan
    return {
        "modes_covered": int((counts >= min_count).sum()),
        "num_modes": int(num_modes),
        "high_quality_fraction": float(good.mean()),
        "kl_to_uniform": kl,
    }
