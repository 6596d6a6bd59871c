"""The marginal baseline: each value from the same position of a random real example."""

import numpy as np
import pytest

from ganzoo.metrics import baselines


def test_first_examples_takes_across_batches_and_stops():
    batches = (np.full((3, 2), i) for i in range(10))
    out = baselines.first_examples(batches, 7)
    assert out.shape == (7, 2) and out[:, 0].tolist() == [0, 0, 0, 1, 1, 1, 2]
    assert len(baselines.first_examples([np.zeros((2, 2))], 5)) == 2  # fewer when that is all
    with pytest.raises(ValueError, match="no examples"):
        baselines.first_examples([], 3)


def test_marginal_batches_keep_each_positions_values_and_mix_examples():
    # Example k holds 10 k + p at position p: a value's position is readable from it.
    pool = (10 * np.arange(5)[:, None] + np.arange(4)[None, :]).reshape(5, 2, 2)
    batches = list(baselines.marginal_batches(pool, 25, batch_size=10, seed=3))
    assert [len(b) for b in batches] == [10, 10, 5] and batches[0].shape[1:] == (2, 2)
    flat = np.concatenate(batches).reshape(25, 4)
    assert np.all(flat % 10 == np.arange(4))  # each value comes from its own position
    rows = flat // 10
    assert np.any(rows.min(axis=1) != rows.max(axis=1))  # positions drawn independently
    assert set(rows.ravel()) == set(range(5))
    again = np.concatenate(list(baselines.marginal_batches(pool, 25, 10, seed=3)))
    np.testing.assert_array_equal(again.reshape(25, 4), flat)  # seeded


def test_marginal_points_follow_each_coordinates_distribution():
    # Points on the diagonal: the baseline keeps both marginals, loses the correlation.
    pool = np.repeat(np.linspace(-1, 1, 1000)[:, None], 2, axis=1)
    points = np.concatenate(list(baselines.marginal_batches(pool, 20000, 5000, seed=0)))
    assert points.mean(axis=0) == pytest.approx([0, 0], abs=0.03)
    assert points.std(axis=0) == pytest.approx(pool.std(axis=0), rel=0.03)
    assert abs(np.corrcoef(points.T)[0, 1]) < 0.03
