"""HYPE-infinity and its bootstrap interval against hand counts and an independent bootstrap."""

import numpy as np
import pytest

from ganzoo.judge import hype


def records(rows):
    """rows: (source, answer, run, label)."""
    return [dict(source=s, answer=a, run=r, label=c) for s, a, r, c in rows]


def test_hype_infinity_is_the_error_rate_of_the_answers():
    # 3 fakes (2 judged real) and 5 reals (1 judged fake): (2 + 1) / 8 wrong.
    sources = ["fake", "fake", "fake", "real", "real", "real", "real", "real"]
    answers = ["real", "real", "fake", "real", "fake", "real", "real", "real"]
    assert hype.hype_infinity(sources, answers) == pytest.approx(3 / 8)
    assert hype.hype_infinity(["fake", "real"], ["fake", "real"]) == 0.0
    assert hype.hype_infinity(["fake", "real"], ["real", "fake"]) == 1.0
    assert np.isnan(hype.hype_infinity([], []))


def test_bad_sources_and_answers_are_named():
    with pytest.raises(ValueError, match=r"answer values \['maybe'\]"):
        hype.hype_infinity(["real"], ["maybe"])
    with pytest.raises(ValueError, match="Received 2 sources and 1 answers"):
        hype.hype_infinity(["real", "fake"], ["real"])


def independent_bootstrap(wrong, resamples, seed, level=0.95):
    """A loop-by-loop percentile bootstrap with its own generator (not hype's code path)."""
    rng = np.random.RandomState(seed)
    wrong = np.asarray(wrong, float)
    means = sorted(
        rng.choice(wrong, size=wrong.size, replace=True).mean() for _ in range(resamples)
    )
    tail = (1 - level) / 2
    return np.percentile(means, 100 * tail), np.percentile(means, 100 * (1 - tail))


@pytest.mark.parametrize("n, rate", [(40, 0.3), (200, 0.5), (120, 0.1)])
def test_bootstrap_ci_matches_an_independent_bootstrap_and_the_normal_interval(n, rate):
    wrong = np.random.default_rng(1).random(n) < rate
    low, high = hype.bootstrap_ci(wrong, num_resamples=4000, seed=0)
    ref_low, ref_high = independent_bootstrap(wrong, 4000, seed=5)
    # Two bootstraps of the same data differ only by Monte Carlo noise (~0.01 at n >= 40).
    assert low == pytest.approx(ref_low, abs=0.02) and high == pytest.approx(ref_high, abs=0.02)
    p = wrong.mean()
    half = 1.96 * np.sqrt(p * (1 - p) / n)  # the normal approximation's 95% half-width
    assert low < p < high
    assert (high - low) == pytest.approx(2 * half, rel=0.2)


def test_bootstrap_ci_is_deterministic_in_its_seed_and_degenerate_when_constant():
    wrong = np.arange(50) % 3 == 0
    assert hype.bootstrap_ci(wrong, 500, seed=3) == hype.bootstrap_ci(wrong, 500, seed=3)
    assert hype.bootstrap_ci(wrong, 500, seed=3) != hype.bootstrap_ci(wrong, 500, seed=4)
    assert hype.bootstrap_ci(np.ones(10, bool), 200) == (1.0, 1.0)
    assert all(np.isnan(hype.bootstrap_ci([], 200)))
    # Chunked resampling gives the same interval as one draw (a big session stays small).
    big = np.random.default_rng(0).random(3000) < 0.4
    low, high = hype.bootstrap_ci(big, 1000, seed=0)
    assert 0.37 < low < 0.4 < high < 0.43


def test_score_counts_each_kind_of_error_and_names_what_it_measures():
    rows = records(
        [("fake", "real", "a", None), ("fake", "fake", "a", None), ("real", "fake", None, None)]
        + [("real", "real", None, None)] * 3
    )
    s = hype.score(rows, num_resamples=500)
    assert s["kind"] == hype.KIND_HYPE and s["answers"] == 6
    assert (s["fakes"], s["reals"], s["fakes_judged_real"], s["reals_judged_fake"]) == (2, 4, 1, 1)
    assert s["score"] == pytest.approx(2 / 6)
    assert s["ci95"][0] <= s["score"] <= s["ci95"][1]
    fakes_only = hype.score(rows[:2], num_resamples=200)
    assert fakes_only["kind"] == hype.KIND_FAKE_ONLY and fakes_only["score"] == 0.5
    assert hype.score([], 200)["score"] is None
    assert "fake-only: not HYPE-infinity" in hype.describe(fakes_only)
    assert hype.describe(s).startswith("HYPE-infinity 33.3% (95% CI ")
    assert "1 of 2 fakes judged real, 1 of 4 reals judged fake" in hype.describe(s)


def test_report_per_run_shares_the_reals_and_per_class_matches_classes():
    rows = records(
        [
            ("fake", "real", "a", None),  # a: 2 fakes, 1 judged real
            ("fake", "fake", "a", None),
            ("fake", "real", "b", 0),  # b (conditional): class 0 judged real, class 1 not
            ("fake", "fake", "b", 1),
            ("fake", "real", "b", 1),
            ("real", "fake", None, 0),  # reals: class 0 judged fake, class 1 right
            ("real", "real", None, 1),
        ]
    )
    out = hype.report(rows, ["a", "b"], ["b"], num_resamples=300, seed=0)
    assert out["overall"]["score"] == pytest.approx(4 / 7)
    # Per run: its fakes plus both reals.
    assert out["per_run"]["a"]["score"] == pytest.approx((1 + 1) / (2 + 2))
    assert out["per_run"]["b"]["score"] == pytest.approx((2 + 1) / (3 + 2))
    assert set(out["per_class"]) == {"b"}
    c0, c1 = out["per_class"]["b"]["0"], out["per_class"]["b"]["1"]
    assert (c0["answers"], c0["score"]) == (2, 1.0)  # b's class-0 fake judged real + real wrong
    assert (c1["answers"], c1["score"]) == (3, pytest.approx(1 / 3))
