"""Fréchet distance between feature sets (FID when the features are Inception's `pool_3`)."""

from __future__ import annotations

import os

import numpy as np

from ganzoo.errors import EvalError
from ganzoo.metrics.tfgan_compat import load_tfgan_eval


def _check_features(name: str, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(
            f"Received: {name} with shape {x.shape}. "
            "Expected a 2-D array [num_samples, dim] with at least 2 rows (for a covariance)."
        )
    return x


def frechet_distance(real_features: np.ndarray, fake_features: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets, computed by TF-GAN.

    FD = |mu_r - mu_f|^2 + Tr(S_r + S_f - 2 (S_r S_f)^(1/2)),

    with mu the sample means and S the unbiased (N - 1) sample covariances, in float64
    (TF-GAN's `frechet_classifier_distance_from_activations`). Biased upwards for small N:
    compare models only at equal sample counts.
    """
    real = _check_features("real_features", real_features)
    fake = _check_features("fake_features", fake_features)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"Received: real_features dim {real.shape[1]}, fake_features dim {fake.shape[1]}. "
            "Expected the same feature dimension."
        )
    import tensorflow as tf

    tfgan_eval = load_tfgan_eval()
    fd = tfgan_eval.frechet_classifier_distance_from_activations(
        tf.constant(real, tf.float64), tf.constant(fake, tf.float64)
    )
    return float(fd)


def _sqrtm_psd(mat: np.ndarray) -> np.ndarray:
    # eigh of the symmetrised matrix; rounding can make tiny eigenvalues negative.
    w, v = np.linalg.eigh((mat + mat.T) / 2)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance_from_stats(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray
) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), in numpy float64.

    FD = |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2)),

    where Tr((S1 S2)^(1/2)) = sum_i sqrt(lambda_i) over the eigenvalues lambda_i of the
    symmetric PSD matrix S1^(1/2) S2 S1^(1/2) (same spectrum as S1 S2). Eigenvalues that
    rounding makes slightly negative are clipped to 0, and so is the result.
    """
    mu1 = np.asarray(mu1, np.float64).reshape(-1)
    mu2 = np.asarray(mu2, np.float64).reshape(-1)
    sigma1 = np.atleast_2d(np.asarray(sigma1, np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, np.float64))
    d = mu1.shape[0]
    for name, s in (("sigma1", sigma1), ("sigma2", sigma2)):
        if s.shape != (d, d):
            raise ValueError(f"Received: {name} with shape {s.shape}. Expected ({d}, {d}).")
    if mu2.shape != (d,):
        raise ValueError(f"Received: mu2 with shape {mu2.shape}. Expected ({d},).")
    root1 = _sqrtm_psd(sigma1)
    inner = root1 @ sigma2 @ root1
    eigenvalues = np.linalg.eigvalsh((inner + inner.T) / 2)
    tr_covmean = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum()
    diff = mu1 - mu2
    fd = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean
    return float(max(fd, 0.0))


class FeatureStats:
    """Running mean and covariance of features, accumulated batch by batch in float64.

    Keeps n, s = sum_i x_i and P = sum_i x_i x_i^T; then mean = s / n and the unbiased
    covariance cov = (P - n mean mean^T) / (n - 1), as `frechet_distance` uses.
    """

    def __init__(self, dim: int) -> None:
        self.dim = int(dim)
        self.count = 0
        self.sum = np.zeros(self.dim, np.float64)
        self.sum_outer = np.zeros((self.dim, self.dim), np.float64)

    def update(self, batch: np.ndarray) -> FeatureStats:
        """Adds a batch [N, dim] of features; returns self."""
        x = np.asarray(batch, np.float64)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(
                f"Received: batch with shape {x.shape}. Expected [num_samples, {self.dim}]."
            )
        self.count += x.shape[0]
        self.sum += x.sum(axis=0)
        self.sum_outer += x.T @ x
        return self

    @property
    def mean(self) -> np.ndarray:
        if self.count < 1:
            raise ValueError("Received: no features. Expected at least 1 sample for the mean.")
        return self.sum / self.count

    @property
    def cov(self) -> np.ndarray:
        if self.count < 2:
            raise ValueError(
                f"Received: {self.count} feature(s). Expected at least 2 for the covariance."
            )
        mean = self.mean
        cov = (self.sum_outer - self.count * np.outer(mean, mean)) / (self.count - 1)
        return (cov + cov.T) / 2

    def frechet_distance(self, other: FeatureStats) -> float:
        """`frechet_distance_from_stats` between these statistics and `other`'s."""
        return frechet_distance_from_stats(self.mean, self.cov, other.mean, other.cov)

    def save(self, path: str | os.PathLike) -> None:
        """Writes count, sum and sum_outer to an .npz file."""
        with open(path, "wb") as f:
            np.savez(f, count=np.int64(self.count), sum=self.sum, sum_outer=self.sum_outer)

    @classmethod
    def load(cls, path: str | os.PathLike) -> FeatureStats:
        """Reads statistics written by `save`."""
        try:
            with np.load(path) as data:
                count, total, outer = data["count"], data["sum"], data["sum_outer"]
        except (OSError, KeyError, ValueError) as e:
            raise EvalError(
                f"Cannot read feature statistics from {os.fspath(path)!r} ({e}). "
                "Expected an .npz file written by FeatureStats.save; delete it to recompute."
            ) from e
        d = total.shape[0] if total.ndim == 1 else -1
        if outer.shape != (d, d):
            raise EvalError(
                f"Received: statistics in {os.fspath(path)!r} with sum {total.shape} and "
                f"sum_outer {outer.shape}. Expected (dim,) and (dim, dim); delete it to recompute."
            )
        stats = cls(d)
        stats.count = int(count)
        stats.sum = total.astype(np.float64)
        stats.sum_outer = outer.astype(np.float64)
        return stats
