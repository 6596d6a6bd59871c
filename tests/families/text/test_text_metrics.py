"""Text metrics against hand computations."""

import math

import numpy as np
import pytest

from ganzoo.families.text import metrics as tm


def test_ngram_counts_stay_inside_each_text():
    assert tm.ngram_counts(["abab", "ba"], 2) == {"ab": 2, "ba": 2}
    assert tm.ngram_counts(["ab"], 3) == {}
    with pytest.raises(ValueError, match="n=0"):
        tm.ngram_counts(["a"], 0)


def test_js_divergence_by_hand():
    # P = (1/2, 1/2, 0), Q = (0, 1/2, 1/2): M = (1/4, 1/2, 1/4);
    # KL(P||M) = 1/2 log2 2 + 1/2 log2 1 = 1/2, the same for Q: JS = 1/2 bit.
    assert tm.js_divergence({"a": 1, "b": 1}, {"b": 3, "c": 3}) == pytest.approx(0.5)
    assert tm.js_divergence({"a": 2, "b": 6}, {"a": 1, "b": 3}) == pytest.approx(0.0)
    assert tm.js_divergence({"a": 1}, {"b": 1}) == pytest.approx(1.0)
    p, q = np.array([0.9, 0.1]), np.array([0.5, 0.5])
    m = (p + q) / 2
    expected = 0.5 * np.sum(p * np.log2(p / m)) + 0.5 * np.sum(q * np.log2(q / m))
    assert tm.js_divergence({"x": 9, "y": 1}, {"x": 5, "y": 5}) == pytest.approx(expected)
    with pytest.raises(ValueError, match="Expected both positive"):
        tm.js_divergence({}, {"a": 1})


def test_ngram_js_of_texts():
    # Unigrams of "aa" vs "ab": P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4).
    expected = 0.5 * math.log2(4 / 3) + 0.5 * (0.5 * math.log2(2 / 3) + 0.5 * math.log2(2))
    assert tm.ngram_js(["aa"], ["ab"], 1) == pytest.approx(expected)
    assert tm.ngram_js(["abc"], ["abc"], 3) == 0.0


def test_words_and_word_share():
    assert tm.words(["hello, world!  ", " -- it's "]) == ["hello", "world", "it's"]
    vocabulary = {"hello", "world"}
    assert tm.word_share(["hello, wrld! world"], vocabulary) == pytest.approx(2 / 3)
    assert tm.word_share(["  , . "], vocabulary) == 0.0


def test_text_metrics_and_distinct_share():
    out = tm.text_metrics(["ab ab", "ab ab"], ["ab ab"], {"ab"}, max_n=2)
    assert out["js_1"] == pytest.approx(0.0) and out["js_2"] == pytest.approx(0.0)
    assert out["word_share"] == 1.0 and out["distinct_share"] == 0.5
    assert out["mean_word_length"] == 2.0


def test_unigram_baseline_draws_the_character_frequencies():
    texts = ["aaab"] * 100
    random = tm.unigram_baseline(texts, 500, seed=0)
    assert len(random) == 500 and {len(t) for t in random} == {4}
    share_a = sum(t.count("a") for t in random) / 2000
    assert share_a == pytest.approx(0.75, abs=0.03)
    assert random == tm.unigram_baseline(texts, 500, seed=0)
