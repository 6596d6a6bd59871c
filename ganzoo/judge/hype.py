"""HYPE-infinity (Zhou et al. 2019) with a bootstrap confidence interval: pure functions.

HYPE-infinity is the human judges' error rate over a mix of real and generated images: the
share of answers that are wrong, fakes judged real plus reals judged fake. 0% means every image
was told apart; 50% means the fakes cannot be told from the reals; higher is a more realistic
generator (the paper calls a score above 50% hyper-realism).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

SOURCES = ("real", "fake")
# What a score over a set of answers measures, by which sources it holds.
KIND_HYPE = "hype_infinity"  # reals and fakes: the paper's score
KIND_FAKE_ONLY = "fake_judged_real"  # fakes only (no real data): the share of fakes judged real
KIND_REAL_ONLY = "real_judged_fake"  # reals only (e.g. early in a session)


def judged_wrong(sources: Sequence[str], answers: Sequence[str]) -> np.ndarray:
    """A bool per answer: True where the answer differs from the image's source."""
    sources, answers = np.asarray(sources, dtype=object), np.asarray(answers, dtype=object)
    if sources.shape != answers.shape:
        raise ValueError(
            f"Received {sources.shape[0]} sources and {answers.shape[0]} answers. Expected one "
            "answer per image."
        )
    for name, values in (("source", sources), ("answer", answers)):
        bad = sorted({str(v) for v in values} - set(SOURCES))
        if bad:
            raise ValueError(f"Received: {name} values {bad}. Expected 'real' or 'fake'.")
    return sources != answers


def hype_infinity(sources: Sequence[str], answers: Sequence[str]) -> float:
    """HYPE-infinity = (#fakes judged real + #reals judged fake) / #answers.

    Over fakes alone this is the share of fakes judged real; over reals alone, of reals judged
    fake. NaN for no answers.
    """
    wrong = judged_wrong(sources, answers)
    return float(wrong.mean()) if wrong.size else float("nan")


def bootstrap_ci(
    wrong: Sequence[bool], num_resamples: int = 2000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `wrong` (the error rate).

    Draws `num_resamples` sets of n answers with replacement (numpy's default_rng(seed)) and
    returns the (1 - level)/2 and (1 + level)/2 quantiles of their error rates. Deterministic
    in `seed`. (NaN, NaN) for no answers.
    """
    wrong = np.asarray(wrong, dtype=np.float64)
    if wrong.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = np.empty(num_resamples)
    # In chunks so that a big session (10^4 answers x 2000 resamples) stays small in memory.
    chunk = max(1, 2_000_000 // wrong.size)
    for start in range(0, num_resamples, chunk):
        stop = min(num_resamples, start + chunk)
        picks = rng.integers(0, wrong.size, size=(stop - start, wrong.size))
        means[start:stop] = wrong[picks].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def score(
    records: Iterable[Mapping], num_resamples: int = 2000, seed: int = 0
) -> dict[str, object]:
    """The score of a set of answer records (dicts with 'source' and 'answer').

    {'kind', 'score', 'ci95', 'answers', 'reals', 'fakes', 'fakes_judged_real',
    'reals_judged_fake'}; 'kind' says what the score is (KIND_HYPE when reals and fakes were
    judged, KIND_FAKE_ONLY / KIND_REAL_ONLY otherwise). 'score' and 'ci95' are None for none.
    """
    records = list(records)
    sources = [r["source"] for r in records]
    wrong = judged_wrong(sources, [r["answer"] for r in records])
    is_fake = np.asarray(sources, dtype=object) == "fake"
    fakes, reals = int(is_fake.sum()), int((~is_fake).sum())
    kind = KIND_HYPE if fakes and reals else (KIND_FAKE_ONLY if fakes else KIND_REAL_ONLY)
    out = {
        "kind": kind,
        "answers": len(records),
        "fakes": fakes,
        "reals": reals,
        "fakes_judged_real": int((wrong & is_fake).sum()),
        "reals_judged_fake": int((wrong & ~is_fake).sum()),
        "score": None,
        "ci95": None,
    }
    if records:
        out["score"] = float(wrong.mean())
        out["ci95"] = list(bootstrap_ci(wrong, num_resamples, seed))
    return out


def report(
    records: Sequence[Mapping],
    runs: Sequence[str],
    conditional_runs: Sequence[str] = (),
    num_resamples: int = 2000,
    seed: int = 0,
) -> dict[str, object]:
    """Scores over all answers, per run and per class.

    Records carry 'source', 'answer', 'run' (the run a fake came from; None for a real) and
    'label' (a class, or None). Per run: that run's fakes with every real (the reals are shared
    by the runs compared). Per class, for each run of `conditional_runs`: that run's fakes of
    class c (the class it was asked for) with the reals of class c.
    """
    reals = [r for r in records if r["source"] == "real"]
    out: dict[str, object] = {
        "overall": score(records, num_resamples, seed),
        "per_run": {},
        "per_class": {},
    }
    for run in runs:
        mine = [r for r in records if r["source"] == "fake" and r.get("run") == run]
        out["per_run"][run] = score(mine + reals, num_resamples, seed)
    for run in conditional_runs:
        mine = [r for r in records if r["source"] == "fake" and r.get("run") == run]
        labels = sorted({r["label"] for r in mine + reals if r.get("label") is not None})
        out["per_class"][run] = {
            str(c): score([r for r in mine + reals if r.get("label") == c], num_resamples, seed)
            for c in labels
        }
    return out


def describe(result: Mapping) -> str:
    """One line for a score: 'HYPE-infinity 42.0% (95% CI 32.0-52.0%), 100 answers: ...'."""
    if result["score"] is None:
        return "no answers yet"
    name = {
        KIND_HYPE: "HYPE-infinity",
        KIND_FAKE_ONLY: "fakes judged real (fake-only: not HYPE-infinity)",
        KIND_REAL_ONLY: "reals judged fake (no fakes judged yet)",
    }[result["kind"]]
    low, high = result["ci95"]
    return (
        f"{name} {100 * result['score']:.1f}% (95% CI {100 * low:.1f}-{100 * high:.1f}%), "
        f"{result['answers']} answers: {result['fakes_judged_real']} of {result['fakes']} fakes "
        f"judged real, {result['reals_judged_fake']} of {result['reals']} reals judged fake"
    )
