"""Health diagnostics: the diversity score, the warnings, and that they fire only on a sick run."""

import io
import itertools

import numpy as np
import pytest

import ganzoo
from ganzoo import train_lib
from ganzoo.training.health import HealthWatch, mean_pairwise_distance


def test_mean_pairwise_distance_matches_brute_force():
    x = np.random.default_rng(0).normal(size=(7, 3, 2))
    pairs = [np.linalg.norm((x[i] - x[j]).ravel()) for i, j in itertools.combinations(range(7), 2)]
    assert mean_pairwise_distance(x) == pytest.approx(np.mean(pairs), rel=1e-9)
    assert mean_pairwise_distance(np.ones((5, 2))) == 0.0
    with pytest.raises(ValueError, match="at least 2"):
        mean_pairwise_distance(np.ones((1, 2)))


def test_warnings_need_patience_and_fire_once_per_episode():
    watch = HealthWatch(real_diversity=1.0, diversity_warn=0.2, d_win_acc=0.99, patience=2)
    assert watch.update(1, 0.1, 0.5, 0.5) == []
    (collapse,) = watch.update(2, 0.1, 0.5, 0.5)
    assert "diversity is 0.100" in collapse and "step 2" in collapse
    assert watch.update(3, 0.1, 0.5, 0.5) == []  # same episode
    assert watch.update(4, 0.9, 1.0, 1.0) == []
    (d_wins,) = watch.update(5, 0.9, 1.0, 1.0)
    assert "D separates real from fake" in d_wins
    assert watch.update(6, 0.1, 0.5, 0.5) == [] and watch.update(7, 0.1, 0.5, 0.5)  # new episode


def ring8(tmp_path, name, **overrides):
    overrides = {"train.steps": 1500, "train.log_every": 250, "train.sample_every": 1500,
                 "train.checkpoint_every": 1500, **overrides}  # fmt: skip
    stream = io.StringIO()
    experiment = ganzoo.get_experiment("ring8_plain_gan", overrides)
    train_lib.train(experiment, str(tmp_path / name), stream)
    return stream.getvalue()


def test_warnings_fire_on_a_collapsing_minimax_run_and_stay_silent_on_a_healthy_one(tmp_path):
    # Minimax with D a thousand times faster than G: D wins, G's log(1 - D(G(z))) saturates, G collapses.
    sick = ring8(
        tmp_path,
        "sick",
        **{"model.loss": "minimax", "optimizer.d_lr": 1e-2, "optimizer.g_lr": 1e-5},
    )
    assert "the generator may be collapsing" in sick and "D separates real from fake" in sick
    healthy = ring8(tmp_path, "healthy")
    assert "warning at step" not in healthy
