"""The training-time evaluation's ranking and line, and each family's watched metrics."""

import math

import pytest

import ganzoo
from ganzoo.family import WatchedMetric, family_of
from ganzoo.training import eval_callback

TEXT = (WatchedMetric("js_4", "min"), WatchedMetric("word_share", "max"))


def test_rank_follows_each_metrics_direction_then_breaks_ties():
    rank = eval_callback.rank
    assert rank({"js_4": 0.3, "word_share": 0.1}, TEXT) < rank({"js_4": 0.4, "word_share": 1}, TEXT)
    assert rank({"js_4": 0.3, "word_share": 0.9}, TEXT) < rank(
        {"js_4": 0.3, "word_share": 0.5}, TEXT
    )
    modes = (WatchedMetric("modes_covered", "max"),)
    assert rank({"modes_covered": 8}, modes) < rank({"modes_covered": 7}, modes)
    # A missing or NaN headline ranks below any number.
    assert rank({"js_4": 0.99}, TEXT[:1]) < rank({"js_4": math.nan}, TEXT[:1]) == (math.inf,)
    assert rank({}, modes) == (math.inf,)


def test_watched_summary_puts_baselines_before_the_real_floor():
    references = {"real": {"js_4": 0.13}, "unigram": {"js_4": 0.7912, "word_share": 0.05}}
    line = eval_callback.watched_summary({"js_4": 0.52, "word_share": 0.41}, references, TEXT)
    assert line == "js_4 0.52 (unigram 0.791, real 0.13) | word_share 0.41 (unigram 0.05)"
    assert eval_callback.watched_summary({"js_4": 0.5}, {}, TEXT[:1]) == "js_4 0.5"


@pytest.mark.parametrize(
    "experiment, watched",
    [
        ("text_chars_wgan_gp", [("js_4", "min"), ("word_share", "max")]),
        ("ring8_gan", [("modes_covered", "max"), ("high_quality_fraction", "max")]),
        ("fashion_mnist_dcgan", [("fid", "min"), ("score", "max")]),
        ("video_moving_fashion_mnist", [("fid", "min"), ("tracked_share", "max")]),
        ("speech_digits_wavegan", [("fid", "min"), ("score", "max")]),
        ("fashion_mnist_cgan", [("fid", "min"), ("score", "max"), ("class_accuracy", "max")]),
        ("imagenet32_biggan", [("fid", "min"), ("score", "max")]),  # Inception: no classes
    ],
)
def test_each_family_says_what_to_watch_headline_first(experiment, watched):
    config = ganzoo.get_experiment(experiment)
    family = family_of(config)
    assert [tuple(m) for m in family.watched_metrics(config)] == watched
    assert tuple(family.headline_metric(config)) == watched[0]
