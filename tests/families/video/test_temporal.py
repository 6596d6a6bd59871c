"""Temporal-consistency metrics against plain loops, and on clips with known motion."""

import numpy as np
import pytest

from ganzoo.families.video import temporal


def _random_clips(seed=0, shape=(3, 5, 6, 7, 1)):
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def test_frame_difference_matches_a_loop():
    clips = _random_clips()
    n, t = clips.shape[:2]
    total, count = 0.0, 0
    for i in range(n):
        for j in range(t - 1):
            d = clips[i, j + 1] - clips[i, j]
            total += float((d * d).sum())
            count += d.size
    assert temporal.frame_difference(clips) == pytest.approx(total / count, rel=1e-12)
    frozen = np.repeat(clips[:, :1], 5, axis=1)
    assert temporal.frame_difference(frozen) == 0.0


def test_object_tracks_match_a_loop():
    clips = _random_clips(1)
    mass, centroid = temporal.object_tracks(clips, threshold=0.2)
    n, t, h, w, _ = clips.shape
    for i in range(n):
        for j in range(t):
            m, sy, sx = 0.0, 0.0, 0.0
            for y in range(h):
                for x in range(w):
                    v = max(clips[i, j, y, x, 0] - 0.2, 0.0)
                    m, sy, sx = m + v, sy + v * y, sx + v * x
            assert mass[i, j] == pytest.approx(m)
            np.testing.assert_allclose(centroid[i, j], [sy / m, sx / m], rtol=1e-9)


def _moving_square(steps, dx, size=12, side=3):
    clip = -np.ones((steps, size, size, 1))
    for t in range(steps):
        x = 1 + t * dx
        clip[t, 4 : 4 + side, x : x + side] = 1.0
    return clip


def test_tracked_share_follows_a_moving_square_and_catches_jumps():
    slow = _moving_square(4, 1)[None]
    assert temporal.tracked_share(slow, max_jump=1.5) == 1.0
    fast = _moving_square(4, 3)[None]  # 3 px per frame > J
    assert temporal.tracked_share(fast, max_jump=1.5) == 0.0
    vanishing = slow.copy()
    vanishing[0, 2] = -1.0  # the object is gone in frame 2: pairs (1, 2) and (2, 3) fail
    assert temporal.tracked_share(vanishing, max_jump=1.5) == pytest.approx(1 / 3)
    shrinking = slow.copy()
    shrinking[0, 3, 4:6] = -1.0  # 2 of 3 rows vanish: the mass falls by 2/3 > r = 0.5
    assert temporal.tracked_share(shrinking, max_jump=1.5) == pytest.approx(2 / 3)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match=r"Expected \[N, T, H, W, C\] with T >= 2"):
        temporal.frame_difference(np.zeros((2, 1, 4, 4, 1)))
