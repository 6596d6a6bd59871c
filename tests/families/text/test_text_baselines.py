"""The text baselines: character n-gram Markov models against hand counts, their samples, and
their figures in the text evaluator's records and the baselines command."""

import json

import pytest

from benchmarks import text_baselines as baselines_command
from ganzoo.config import apply_overrides, base_config
from ganzoo.experiment import validate
from ganzoo.families.text import baselines as tb
from ganzoo.families.text import data as text_data
from ganzoo.families.text import metrics as text_metrics
from ganzoo.families.text.evaluator import TextEvaluator
from ganzoo.family import family_of

B = tb.BEGIN
SENTENCES = [
    "the cat sat on the mat",
    "a dog sat on the log",
    "the dog ate the cat food",
    "on the mat a cat ate",
]


def test_conditionals_are_the_hand_counts():
    # "abab": a->b, b->a, a->b; "abba": a->b, b->b, b->a. Starts: a, a.
    m = tb.CharMarkov(["abab", "abba"], max_order=3)
    assert m.counts[0] == {"": {"a": 4, "b": 4}}
    assert m.counts[1] == {B: {"a": 2}, "a": {"b": 3}, "b": {"a": 2, "b": 1}}
    assert m.probabilities(B, 2) == {"a": 1.0}
    assert m.probabilities(B + "a", 2) == {"b": 1.0}
    assert m.probabilities(B + "ab", 2) == pytest.approx({"a": 2 / 3, "b": 1 / 3})
    # Order 3: "ab" is followed by a (abab) and by b (abba); "ba" by b; "bb" by a.
    assert m.probabilities(B + B, 3) == {"a": 1.0}
    assert m.probabilities(B + B + "a", 3) == {"b": 1.0}
    assert m.probabilities(B + B + "ab", 3) == {"a": 0.5, "b": 0.5}
    assert m.probabilities(B + B + "aba", 3) == {"b": 1.0}
    assert m.probabilities(B + B + "abb", 3) == {"a": 1.0}
    assert m.probabilities(B + "ab", 1) == {"a": 0.5, "b": 0.5}
    # "aa" never occurs: back off to "a", which is followed by b only.
    assert m.context_used(B + B + "aa", 3) == "a"
    assert m.probabilities(B + B + "aa", 3) == {"b": 1.0}
    with pytest.raises(ValueError, match="order=4"):
        m.probabilities("ab", 4)


def test_samples_follow_the_conditionals():
    m = tb.CharMarkov(["abab", "abba"], max_order=2)
    texts, backoffs = m.sample(3000, 2, seed=0, length=6)
    assert {len(t) for t in texts} == {6} and backoffs.sum() == 0
    assert all(t[0] == "a" for t in texts)  # every training text starts with a
    after_b = text_metrics.ngram_counts(texts, 2)
    share = after_b["ba"] / (after_b["ba"] + after_b["bb"])
    assert share == pytest.approx(2 / 3, abs=0.02)
    assert "aa" not in after_b  # a is always followed by b


@pytest.mark.parametrize("order", [2, 3, 4])
def test_order_k_samples_hold_only_seen_k_grams(order):
    train = text_data.pack(SENTENCES * 3, 12)
    m = tb.CharMarkov(train)
    seen = set(text_metrics.ngram_counts(train, order))
    texts, backoffs = m.sample(400, order, seed=1)
    assert {len(t) for t in texts} == {12}
    clean = [t for t, b in zip(texts, backoffs, strict=True) if b == 0]
    assert len(clean) > 300  # backoff is rare here: the check below covers most samples
    for text in clean:
        assert set(text_metrics.ngram_counts([text], order)) <= seen, text
    # Without the backoff, a higher order's k-grams would not all be seen: a lower order's are
    # not (order 2 makes 4-grams that the sentences lack).
    bigram_texts, _ = m.sample(400, 2, seed=1)
    assert not set(text_metrics.ngram_counts(bigram_texts, 4)) <= set(
        text_metrics.ngram_counts(train, 4)
    )


def test_unseen_context_backs_off_and_is_counted():
    m = tb.CharMarkov(["abc"], max_order=3)
    texts, backoffs = m.sample(50, 3, seed=0, length=5)
    assert all(t.startswith("abc") and len(t) == 5 for t in texts)
    # "bc" and then whatever follows are never continued: the draws back off to counts of
    # shorter contexts ("c" is never followed either: the unigram table).
    assert (backoffs == 2).all()
    assert set("".join(t[3:] for t in texts)) == {"a", "b", "c"}


def test_samples_are_reproducible_with_the_seed():
    train = text_data.pack(SENTENCES, 10)
    m = tb.CharMarkov(train)
    first = m.sample(50, 3, seed=7)[0]
    assert first == m.sample(50, 3, seed=7)[0]
    assert first != m.sample(50, 3, seed=8)[0]
    docs = tb.CharMarkov(SENTENCES, end=True)
    assert docs.documents(300, 3, seed=7) == docs.documents(300, 3, seed=7)
    assert docs.documents(300, 3, seed=7) != docs.documents(300, 3, seed=8)


def test_packed_model_ends_documents_and_packs_them_as_the_data():
    # Every 3-character context of these two documents is unique: order 4 copies them.
    m = tb.CharMarkov(["the cat", "a dog"], end=True)
    docs, backoffs = m.documents(200, 4, seed=0)
    assert set(docs) == {"the cat", "a dog"} and backoffs == 0
    assert sum(map(len, docs)) >= 200
    texts, _ = tb.packed_samples(m, 4, 30, seed=0, seq_len=8, packing="words")
    assert len(texts) == 30 and {len(t) for t in texts} == {8}
    assert set(text_metrics.words(texts)) <= {"the", "cat", "a", "dog"}
    with pytest.raises(ValueError, match="end=True"):
        m.sample(2, 2)
    with pytest.raises(ValueError, match="end=False"):
        tb.CharMarkov(["ab"]).documents(10, 2)


def test_bad_inputs():
    with pytest.raises(ValueError, match="no text"):
        tb.CharMarkov(["", ""])
    with pytest.raises(ValueError, match="marker"):
        tb.CharMarkov(["a" + B])
    with pytest.raises(ValueError, match="max_order=0"):
        tb.CharMarkov(["ab"], max_order=0)


@pytest.fixture
def corpus_config(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(SENTENCES * 10) + "\n")
    c = base_config()
    c.name = "tiny_text"
    c.data.update(source="text", path=str(path), cache=False, shuffle_buffer=0)
    c.model.update(arch="text_resnet", width=8, depth=1)
    overrides = {"text.seq_len": 12, "text.holdout": 0.2, "eval.num_samples": 40}
    config = validate(apply_overrides(c, overrides))
    return family_of(config).resolve(config)


def test_baseline_figures_score_each_baseline_as_the_evaluator_does(corpus_config):
    records = tb.baseline_records(corpus_config)
    assert list(records) == ["real_floor", *tb.BASELINES]
    train = list(text_data.load_corpus(corpus_config, "train").texts)
    reference = list(text_data.load_corpus(corpus_config, "test").texts)
    evaluator = TextEvaluator(corpus_config)
    for name, record in records.items():
        assert len(record["texts"]) == 40 and {len(t) for t in record["texts"]} == {12}, name
        assert record["metrics"] == evaluator.metrics(record["texts"]), name
    assert records["real_floor"]["texts"] == train[:40]
    assert records["unigram"]["texts"] == text_metrics.unigram_baseline(train, 40, seed=0)
    assert records["markov3"]["texts"] == tb.CharMarkov(train).sample(40, 3, seed=0)[0]
    assert reference  # the held-out split the figures are scored against
    figures = tb.baseline_figures(corpus_config)
    assert figures == {name: r["metrics"] for name, r in records.items()}
    # The evaluator's records carry them: the floor, the unigram baseline and `baselines`.
    context = evaluator.context()
    assert context["real_floor"] == figures["real_floor"]
    assert context["unigram_baseline"] == figures["unigram"]
    assert context["baselines"] == {name: figures[name] for name in tb.BASELINES}
    # This corpus is four sentences: the 4-gram models write far closer text than unigram.
    assert figures["markov4_packed"]["js_4"] < figures["unigram"]["js_4"] / 2


def test_baselines_command_writes_every_baseline_for_each_seed(tmp_path, corpus_config):
    out = tmp_path / "baselines.json"
    sets = [f"--set=data.path={corpus_config.data.path}", "--set=text.seq_len=12"]
    baselines_command.main(
        ["--num_samples=30", "--seeds=0,1", *sets, "--set=text.holdout=0.2", f"--out={out}"]
    )
    results = json.loads(out.read_text())
    assert set(results["baselines"]) == {"real_floor", *tb.BASELINES}
    markov2 = results["baselines"]["markov2"]
    assert set(markov2["metrics_by_seed"]) == {"0", "1"}
    floor = results["baselines"]["real_floor"]
    texts = text_data.load_corpus(corpus_config, "train").texts[:30]
    assert floor["mean_padding_by_seed"]["0"] == baselines_command.mean_padding(texts)
    assert baselines_command.mean_padding(["ab  ", "abc "]) == 1.5
    assert len(markov2["samples"]) == baselines_command.NUM_SHOWN
    assert results["num_samples"] == 30 and results["seeds"] == [0, 1]
    assert results["command"].startswith("python -m benchmarks.text_baselines --num_samples=30")
    assert "cpu" in results["machine"]
