"""Nearest-neighbour search of the memorisation check against a brute-force numpy search."""

import numpy as np
import pytest

from ganzoo.metrics.memorisation import nearest_neighbours


def brute_force(queries, references, k):
    q = queries.reshape(len(queries), -1).astype(np.float64)
    r = references.reshape(len(references), -1).astype(np.float64)
    d = np.sqrt(((q[:, None, :] - r[None, :, :]) ** 2).sum(axis=2))
    order = np.argsort(d, axis=1)[:, :k]
    return order, np.take_along_axis(d, order, 1)


@pytest.mark.parametrize("k, query_block, reference_block", [(1, 1024, 8192), (3, 7, 5), (4, 3, 2)])
def test_matches_brute_force_whatever_the_blocks(k, query_block, reference_block):
    rng = np.random.default_rng(0)
    queries = rng.normal(size=(23, 4, 4, 1)).astype(np.float32)
    references = rng.normal(size=(31, 4, 4, 1)).astype(np.float32)
    indices, distances = nearest_neighbours(queries, references, k, query_block, reference_block)
    want_indices, want_distances = brute_force(queries, references, k)
    np.testing.assert_array_equal(indices, want_indices)
    np.testing.assert_allclose(distances, want_distances, rtol=1e-5)
    assert indices.shape == distances.shape == (23, k)


def test_copies_are_at_distance_exactly_zero():
    rng = np.random.default_rng(1)
    references = rng.uniform(-1, 1, size=(50, 28, 28, 1)).astype(np.float32)
    picked = np.array([7, 0, 49, 7, 13])
    indices, distances = nearest_neighbours(references[picked], references, k=2, reference_block=8)
    np.testing.assert_array_equal(indices[:, 0], picked)
    assert np.all(distances[:, 0] == 0.0)
    assert np.all(distances[:, 1] > 1.0)  # the next nearest is another random image
    noise = rng.uniform(-1, 1, size=(5, 28, 28, 1)).astype(np.float32)
    assert nearest_neighbours(noise, references)[1].min() > 1.0


@pytest.mark.parametrize(
    "queries, references, k, message",
    [
        (np.zeros((2, 3)), np.zeros((4, 3)), 5, "k=5 with 4 references"),
        (np.zeros((2, 3)), np.zeros((4, 2)), 1, "Expected rows of one width"),
        (np.zeros((0, 3)), np.zeros((4, 3)), 1, r"queries of shape \(0, 3\)"),
    ],
)
def test_bad_inputs(queries, references, k, message):
    with pytest.raises(ValueError, match=message):
        nearest_neighbours(queries, references, k)
