"""Kernel Inception Distance: unbiased MMD^2 with a polynomial kernel, over random subsets."""

from __future__ import annotations

import numpy as np


def _polynomial_kernel(x: np.ndarray, y: np.ndarray, degree: int, gamma: float, coef0: float):
    return (gamma * (x @ y.T) + coef0) ** degree


def kernel_inception_distance(
    real_features: np.ndarray,
    fake_features: np.ndarray,
    num_subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1,
    seed: int = 0,
) -> tuple[float, float]:
    """Mean and std over random subsets of the unbiased MMD^2 between two feature sets.

    With k(x, y) = (gamma x.y + coef0)^degree (gamma = 1/dim by default) and subsets X, Y of
    m samples each:

    MMD^2 = sum_{i!=j} k(x_i, x_j) / (m(m-1)) + sum_{i!=j} k(y_i, y_j) / (m(m-1))
            - 2 sum_{i,j} k(x_i, y_j) / m^2.

    Each subset is drawn without replacement, real then fake, from
    `np.random.default_rng(seed)`; m = min(subset_size, len(real), len(fake)). Unbiased, so it
    can be slightly negative when the distributions match.
    """
    real = np.asarray(real_features, np.float64)
    fake = np.asarray(fake_features, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"Received: real_features {real.shape}, fake_features {fake.shape}. "
            "Expected 2-D arrays [num_samples, dim] with the same dim."
        )
    m = min(subset_size, real.shape[0], fake.shape[0])
    if m < 2 or num_subsets < 1:
        raise ValueError(
            f"Received: subset size {m}, num_subsets={num_subsets}. "
            "Expected at least 2 samples per set and 1 subset."
        )
    gamma = 1.0 / real.shape[1] if gamma is None else gamma
    rng = np.random.default_rng(seed)
    values = np.empty(num_subsets)
    for s in range(num_subsets):
        x = real[rng.choice(real.shape[0], m, replace=False)]
        y = fake[rng.choice(fake.shape[0], m, replace=False)]
        kxx = _polynomial_kernel(x, x, degree, gamma, coef0)
        kyy = _polynomial_kernel(y, y, degree, gamma, coef0)
        kxy = _polynomial_kernel(x, y, degree, gamma, coef0)
        values[s] = (
            (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
            + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
            - 2.0 * kxy.sum() / (m * m)
        )
    return float(values.mean()), float(values.std())
