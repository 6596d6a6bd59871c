"""Text metrics as pure functions: n-gram Jensen-Shannon divergence, word share, distinctness.

Gulrajani et al.'s WGAN-GP language code scores samples by the Jensen-Shannon divergence of
character n-gram (n = 1..4) distributions against real text; these are that measure computed
exactly over the union of n-grams, in bits (so in [0, 1]).
"""

from __future__ import annotations

import collections
from collections.abc import Iterable

import numpy as np

# Stripped from both ends of a token before it is looked up as a word.
WORD_PUNCTUATION = ".,'!?-;:\"()"


def ngram_counts(texts: Iterable[str], n: int) -> collections.Counter:
    """Counts of every character n-gram inside each text (none spans two texts)."""
    if n < 1:
        raise ValueError(f"Received: n={n}. Expected n >= 1.")
    counts = collections.Counter()
    for t in texts:
        counts.update(t[i : i + n] for i in range(len(t) - n + 1))
    return counts


def js_divergence(p_counts: dict, q_counts: dict) -> float:
    """Jensen-Shannon divergence in bits of two count tables (normalised here).

    JS(P, Q) = 1/2 sum_x P(x) log2(P(x) / M(x)) + 1/2 sum_x Q(x) log2(Q(x) / M(x)),
    M = (P + Q) / 2, over the union of keys; 0 for equal distributions, 1 for disjoint ones.
    """
    # Sorted: a fixed summation order, so a figure is the same in every process (set order
    # follows the per-process string hash seed, and float sums depend on order).
    keys = sorted(set(p_counts) | set(q_counts))
    p = np.array([p_counts.get(k, 0) for k in keys], np.float64)
    q = np.array([q_counts.get(k, 0) for k in keys], np.float64)
    if p.sum() <= 0 or q.sum() <= 0:
        raise ValueError(
            f"Received count totals {p.sum():g} and {q.sum():g}. Expected both positive."
        )
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)

    def kl(a):
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / m[nz])))

    return max(0.0, 0.5 * kl(p) + 0.5 * kl(q))


def ngram_js(generated: Iterable[str], reference: Iterable[str], n: int) -> float:
    """JS divergence (bits) between the character n-gram distributions of two text sets."""
    return js_divergence(ngram_counts(generated, n), ngram_counts(reference, n))


def words(texts: Iterable[str]) -> list[str]:
    """Space-separated tokens with WORD_PUNCTUATION stripped from their ends; empty ones
    dropped."""
    out = []
    for t in texts:
        out += [w for w in (tok.strip(WORD_PUNCTUATION) for tok in t.split()) if w]
    return out


def word_share(generated: Iterable[str], vocabulary: set[str]) -> float:
    """Share of the generated word tokens that are in `vocabulary`:
    |{i : w_i in V}| / |w|, 0 when there are no words."""
    tokens = words(generated)
    if not tokens:
        return 0.0
    return sum(w in vocabulary for w in tokens) / len(tokens)


def distinct_share(texts: list[str]) -> float:
    """Share of distinct texts: |set(texts)| / |texts| (low values show mode collapse)."""
    if not texts:
        raise ValueError("Received no texts. Expected at least one.")
    return len(set(texts)) / len(texts)


def text_metrics(
    generated: list[str], reference: list[str], vocabulary: set[str], max_n: int = 4
) -> dict:
    """js_1 .. js_<max_n> (n-gram JS against `reference`, bits), word_share (against
    `vocabulary`), distinct_share and mean_word_length of `generated`."""
    out = {f"js_{n}": ngram_js(generated, reference, n) for n in range(1, max_n + 1)}
    tokens = words(generated)
    out["word_share"] = word_share(generated, vocabulary)
    out["distinct_share"] = distinct_share(generated)
    out["mean_word_length"] = float(np.mean([len(w) for w in tokens])) if tokens else 0.0
    return out


def unigram_baseline(texts: list[str], num: int, seed: int = 0) -> list[str]:
    """`num` random texts as long as `texts[0]`, each character drawn i.i.d. from the character
    frequencies of `texts` (padding included): the trivial baseline a generator must beat."""
    body = "".join(texts)
    chars, counts = np.unique(list(body), return_counts=True)
    rng = np.random.default_rng(seed)
    draws = rng.choice(len(chars), size=(num, len(texts[0])), p=counts / counts.sum())
    return ["".join(row) for row in chars[draws]]
