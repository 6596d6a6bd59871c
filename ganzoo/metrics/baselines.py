"""Trivial baselines a generator must beat, made from real examples: the array analogue of
text's unigram baseline (each value right on its own, no dependence between values)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

POOL_SIZE = 2000  # real examples the per-position marginals are drawn from


def first_examples(batches: Iterable[np.ndarray], num: int) -> np.ndarray:
    """The first `num` examples (fewer when the batches hold fewer) of a stream of batches."""
    kept, count = [], 0
    for batch in batches:
        kept.append(np.asarray(batch)[: num - count])
        count += len(kept[-1])
        if count >= num:
            break
    if not kept:
        raise ValueError("Received no examples. Expected at least one batch.")
    return np.concatenate(kept)


def marginal_batches(
    pool: np.ndarray, num: int, batch_size: int, seed: int = 0
) -> Iterator[np.ndarray]:
    """`num` samples shaped like `pool`'s examples, in batches of `batch_size`:

        x[i, p] = pool[j(i, p), p],  j(i, p) ~ Uniform{0 .. N-1} independently for every i, p,

    p a position (pixel and channel, time step, frame pixel, coordinate). Each value follows
    the real marginal of its position; positions are independent of each other (noise with
    the data's per-pixel brightness; for 2-D points, the product of the two marginals)."""
    pool = np.asarray(pool, np.float32)
    flat = pool.reshape(len(pool), -1)
    rng = np.random.default_rng(seed)
    for start in range(0, num, batch_size):
        size = min(batch_size, num - start)
        rows = rng.integers(0, len(flat), size=(size, flat.shape[1]))
        yield np.take_along_axis(flat, rows, axis=0).reshape(size, *pool.shape[1:])
