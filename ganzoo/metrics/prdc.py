"""k-NN manifold metrics: precision and recall (Kynkäänniemi et al. 2019), density and coverage
(Naeem et al. 2020)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Rows per block are chosen so one block of distances holds at most this many float64 (128 MiB).
_BLOCK_ELEMENTS = 2**24


def _check(
    real: np.ndarray, fake: np.ndarray, k: int, fake_knn: bool
) -> tuple[np.ndarray, np.ndarray]:
    real = np.asarray(real, np.float64)
    fake = np.asarray(fake, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"Received: real_features {real.shape}, fake_features {fake.shape}. "
            "Expected 2-D arrays [num_samples, dim] with the same dim."
        )
    smallest = min(real.shape[0], fake.shape[0]) if fake_knn else real.shape[0]
    if not 1 <= k < smallest or fake.shape[0] < 1:
        raise ValueError(
            f"Received: k={k} with {real.shape[0]} real and {fake.shape[0]} fake samples. "
            f"Expected 1 <= k < {'both sample counts' if fake_knn else 'the real sample count'}."
        )
    return real, fake


def _sq_dist_blocks(
    a: np.ndarray, b: np.ndarray, batch_size: int | None
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yields (rows, squared distances [len(rows), len(b)]) block by block over the rows of a."""
    rows = batch_size or max(1, _BLOCK_ELEMENTS // max(1, b.shape[0]))
    b_sq = np.einsum("ij,ij->i", b, b)
    for start in range(0, a.shape[0], rows):
        block = a[start : start + rows]
        d2 = np.einsum("ij,ij->i", block, block)[:, None] + b_sq[None, :] - 2.0 * block @ b.T
        yield slice(start, start + block.shape[0]), np.maximum(d2, 0.0)


def _knn_radii_sq(x: np.ndarray, k: int, batch_size: int | None) -> np.ndarray:
    """Squared distance from each row of x to its k-th nearest other row."""
    radii = np.empty(x.shape[0])
    for rows, d2 in _sq_dist_blocks(x, x, batch_size):
        # Index k of the sorted row is the k-th neighbour: index 0 is the point itself.
        radii[rows] = np.partition(d2, k, axis=1)[:, k]
    return radii


def precision_recall(
    real_features: np.ndarray, fake_features: np.ndarray, k: int = 3, batch_size: int | None = None
) -> dict[str, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    The manifold of a set X is the union of balls B(x, NND_k(x)), with NND_k(x) the distance
    from x to its k-th nearest neighbour in X (itself excluded). Then

    precision = (1/M) sum_j 1[fake_j in manifold(real)],
    recall    = (1/N) sum_i 1[real_i in manifold(fake)],

    balls closed (<=) as in the paper's code. `batch_size` rows of distances are held at once
    (default: as many as fit in 2^24 float64).
    """
    real, fake = _check(real_features, fake_features, k, fake_knn=True)
    real_radii = _knn_radii_sq(real, k, batch_size)
    fake_radii = _knn_radii_sq(fake, k, batch_size)
    fake_inside = np.zeros(fake.shape[0], bool)
    real_inside = np.empty(real.shape[0], bool)
    # One pass over real-fake distances serves both directions.
    for rows, d2 in _sq_dist_blocks(real, fake, batch_size):
        fake_inside |= (d2 <= real_radii[rows, None]).any(axis=0)
        real_inside[rows] = (d2 <= fake_radii[None, :]).any(axis=1)
    return {"precision": float(fake_inside.mean()), "recall": float(real_inside.mean())}


def density_coverage(
    real_features: np.ndarray, fake_features: np.ndarray, k: int = 5, batch_size: int | None = None
) -> dict[str, float]:
    """Density and coverage (Naeem et al. 2020), from k-NN balls around the real samples only.

    density  = 1/(k M) sum_j sum_i 1[fake_j in B(real_i, NND_k(real_i))],
    coverage = (1/N) sum_i 1[exists j: fake_j in B(real_i, NND_k(real_i))],

    balls open (<) as in the paper's code. Density is not bounded by 1 (it rewards fakes in
    dense real regions); coverage is in [0, 1].
    """
    real, fake = _check(real_features, fake_features, k, fake_knn=False)
    real_radii = _knn_radii_sq(real, k, batch_size)
    hits = 0
    covered = np.empty(real.shape[0], bool)
    for rows, d2 in _sq_dist_blocks(real, fake, batch_size):
        inside = d2 < real_radii[rows, None]  # [real rows, fake]: fake_j in ball of real_i
        hits += int(inside.sum())
        covered[rows] = inside.any(axis=1)
    return {
        "density": float(hits / (k * fake.shape[0])),
        "coverage": float(covered.mean()),
    }
