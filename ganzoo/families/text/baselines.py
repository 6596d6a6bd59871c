"""Non-adversarial baselines for text runs: character n-gram Markov models and unigram text.

An order-k model is a character k-gram model: each character is drawn from the counts of the
characters that followed the previous k - 1 characters in the training text (order 2 = bigram,
1 previous character; order 4 = 4-gram, 3). Maximum-likelihood counts, no smoothing; a context
that no training text continues backs off to its longest suffix that one does, down to no
context at all (character frequencies). The start state is k - 1 begin markers, which no text
contains, so the first characters follow the starts of the training texts. Two ways to fit it,
both on the training split only:

- `markov<k>`: on the fixed-length, space-padded training sequences the GAN reads; a sample is
  text.seq_len characters drawn from the start state, padding modelled as a character, so it is
  the same kind of object a generator writes, learnt from the same data.
- `markov<k>_packed`: on the training documents before packing, with an end marker; documents
  drawn until the end marker, then cut into sequences by the data pipeline's own packing
  (`text.packing`). It is handed the layout rule (padding only at a sequence's end) that a
  generator and `markov<k>` must learn.
"""

from __future__ import annotations

import bisect
import collections

import numpy as np

from ganzoo.families.text import data as text_data
from ganzoo.families.text import metrics as text_metrics

BEGIN = "\x02"  # the start state's marker; never a vocabulary character
END = "\x03"  # ends a document (packed models only)
MARKOV_ORDERS = (2, 3, 4)
BASELINES = (
    "unigram",
    *(f"markov{k}" for k in MARKOV_ORDERS),
    *(f"markov{k}_packed" for k in MARKOV_ORDERS),
)
_BLOCK = 1 << 14  # uniforms drawn at a time while generating documents


class CharMarkov:
    """Character n-gram Markov models of every order up to `max_order`, fitted on `texts`.

    `counts[j][context]` is the Counter of the characters that follow `context` (j characters,
    begin markers included) in the texts, each text read as BEGIN * j + text (+ END when `end`):
    no transition spans two texts. One fit serves every order <= max_order, since the order-k
    model reads the tables j = 0 .. k - 1.
    """

    def __init__(self, texts, max_order: int = max(MARKOV_ORDERS), end: bool = False) -> None:
        if max_order < 1:
            raise ValueError(f"Received: max_order={max_order}. Expected max_order >= 1.")
        texts = [t for t in texts if t]
        if not texts:
            raise ValueError("Received no text. Expected at least one non-empty text.")
        if any(BEGIN in t or END in t for t in texts):
            raise ValueError(f"Received a text containing a marker ({BEGIN!r} or {END!r}).")
        self.max_order, self.end = max_order, end
        self.length = len(texts[0])
        self.longest = max(map(len, texts))
        stop = END if end else ""
        self.counts: list[dict[str, collections.Counter]] = []
        for j in range(max_order):
            grams = text_metrics.ngram_counts((BEGIN * j + t + stop for t in texts), j + 1)
            table = collections.defaultdict(collections.Counter)
            for gram, count in grams.items():
                table[gram[:-1]][gram[-1]] += count
            self.counts.append(dict(table))
        # Per context: its next characters (sorted, so draws do not depend on counting order)
        # and their cumulative counts, for an exact integer inverse-CDF draw.
        self._tables = []
        for table in self.counts:
            self._tables.append({})
            for context, following in table.items():
                chars = sorted(following)
                cumulative = np.cumsum([following[c] for c in chars]).tolist()
                self._tables[-1][context] = (chars, cumulative)

    def _check_order(self, order: int) -> None:
        if not 1 <= order <= self.max_order:
            raise ValueError(f"Received: order={order}. Expected 1 <= order <= {self.max_order}.")

    def context_used(self, history: str, order: int) -> str:
        """The context the order-k model draws from after `history` (begin markers included):
        its last k - 1 characters, or their longest suffix that the training texts continue."""
        self._check_order(order)
        for j in range(min(order - 1, len(history)), -1, -1):
            context = history[len(history) - j :]
            if context in self._tables[j]:
                return context
        raise AssertionError("the empty context is always seen")  # pragma: no cover

    def probabilities(self, history: str, order: int) -> dict[str, float]:
        """P(next character | history) of the order-k model: count(context + c) /
        count(context followed by any character), context = context_used(history, order)."""
        context = self.context_used(history, order)
        following = self.counts[len(context)][context]
        total = sum(following.values())
        return {c: n / total for c, n in sorted(following.items())}

    def _draw(self, history: str, order: int, u: float) -> tuple[str, bool]:
        """The next character for a uniform u in [0, 1), and whether the context backed off."""
        context = self.context_used(history, order)
        chars, cumulative = self._tables[len(context)][context]
        # The first character whose cumulative count exceeds u * total.
        index = bisect.bisect_right(cumulative, u * cumulative[-1])
        return chars[index], len(context) < order - 1  # history holds >= k - 1 characters

    def sample(
        self, num: int, order: int, seed: int = 0, length: int | None = None
    ) -> tuple[list[str], np.ndarray]:
        """`num` texts of `length` (default: the first training text's) characters from the
        order-k model, and how many characters of each came from a backed-off context."""
        self._check_order(order)
        if self.end:
            raise ValueError("Received a model fitted with end=True. Expected end=False.")
        length = self.length if length is None else length
        uniforms = np.random.default_rng(seed).random((num, length))
        texts, backoffs = [], np.zeros(num, np.int64)
        start = BEGIN * (order - 1)
        for i in range(num):
            history = start
            for u in uniforms[i]:
                char, backed_off = self._draw(history, order, u)
                history += char
                backoffs[i] += backed_off
            texts.append(history[len(start) :])
        return texts, backoffs

    def documents(self, num_chars: int, order: int, seed: int = 0) -> tuple[list[str], int]:
        """Documents from the order-k model of a model fitted with end=True, each drawn until
        the end marker (or cut at the longest training text's length), until they hold
        `num_chars` characters in all; and how many characters came from a backed-off context."""
        self._check_order(order)
        if not self.end:
            raise ValueError("Received a model fitted with end=False. Expected end=True.")
        rng = np.random.default_rng(seed)
        uniforms, used = rng.random(_BLOCK), 0
        start = BEGIN * (order - 1)
        docs, total, backoffs = [], 0, 0
        while total < num_chars:
            history = start
            while len(history) - len(start) < self.longest:
                if used == len(uniforms):
                    uniforms, used = rng.random(_BLOCK), 0
                char, backed_off = self._draw(history, order, uniforms[used])
                used += 1
                backoffs += backed_off
                if char == END:
                    break
                history += char
            docs.append(history[len(start) :])
            total += len(docs[-1])
        return docs, backoffs


def packed_samples(
    model: CharMarkov, order: int, num: int, seed: int, seq_len: int, packing: str
) -> tuple[list[str], int]:
    """`num` sequences of the order-k documents of `model` (fitted with end=True), packed
    by text.data.pack as the training data is; and the backed-off character count."""
    num_chars = num * seq_len
    while True:
        docs, backoffs = model.documents(num_chars, order, seed)
        texts = text_data.pack(docs, seq_len, packing)
        if len(texts) > num:  # the last sequence may be short of words: leave it out
            return texts[:num], backoffs
        num_chars *= 2


def baseline_samples(name: str, config, num: int, seed: int) -> tuple[list[str], int]:
    """`num` sequences of baseline `name` (BASELINES) fitted on the config's training split,
    and how many characters (of the packed models' documents) came from a backed-off context."""
    if name not in BASELINES:
        raise ValueError(f"Received: baseline {name!r}. Expected one of {', '.join(BASELINES)}.")
    if name == "unigram":
        train = list(text_data.load_corpus(config, "train").texts)
        return text_metrics.unigram_baseline(train, num, seed=seed), 0
    order = int(name.removeprefix("markov").removesuffix("_packed"))
    if name.endswith("_packed"):
        t = config.text
        model = fitted_model(config, packed=True)
        return packed_samples(model, order, num, seed, t.seq_len, t.packing)
    texts, backoffs = fitted_model(config).sample(num, order, seed=seed)
    return texts, int(backoffs.sum())


# Fitted models and figures, per corpus: a training run's evaluator and its monitor share them.
_MODELS: dict[tuple, CharMarkov] = {}
_FIGURES: dict[tuple, dict] = {}
_CACHE_SIZE = 4


def _corpus_key(config) -> tuple:
    vocab = text_data.resolve_vocab(config)
    return (text_data._source_key(config), text_data._settings(config, vocab))


def _remember(cache: dict, key: tuple, make):
    if key not in cache:
        while len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = make()
    return cache[key]


def fitted_model(config, packed: bool = False) -> CharMarkov:
    """The Markov models of the config's training split: on its sequences, or (packed) on its
    documents with an end marker. Fitted once per corpus, cached."""

    def fit():
        if packed:
            return CharMarkov(text_data.load_lines(config, "train"), end=True)
        return CharMarkov(text_data.load_corpus(config, "train").texts)

    return _remember(_MODELS, (*_corpus_key(config), packed), fit)


def _records(config) -> dict:
    train = list(text_data.load_corpus(config, "train").texts)
    reference = list(text_data.load_corpus(config, config.eval.split).texts)
    vocabulary = set(text_metrics.words(train))
    num = config.eval.num_samples
    out = {"real_floor": {"texts": train[:num], "backoff_chars": 0}}
    for name in BASELINES:
        texts, backoffs = baseline_samples(name, config, num, config.seed)
        out[name] = {"texts": texts, "backoff_chars": backoffs}
    for record in out.values():
        record["metrics"] = text_metrics.text_metrics(record["texts"], reference, vocabulary)
    return out


def baseline_records(config) -> dict:
    """real_floor and each of BASELINES -> {texts, metrics, backoff_chars}: eval.num_samples
    sequences (the first training sequences for real_floor; the baselines seeded by
    `config.seed`) and their text metrics against the eval.split held-out text, as the
    evaluator scores a generator. Computed once per corpus and setting, then cached."""
    key = (*_corpus_key(config), config.eval.split, config.eval.num_samples, config.seed)
    return _remember(_FIGURES, key, lambda: _records(config))


def baseline_figures(config) -> dict:
    """The reference figures of a text config: real_floor and each of BASELINES (unigram,
    markov2 .. markov4, markov2_packed .. markov4_packed) -> its text metrics (js_1 .. js_4,
    word_share, distinct_share, mean_word_length), from baseline_records."""
    # Copies: a caller that edits a record must not edit the cache.
    return {name: dict(r["metrics"]) for name, r in baseline_records(config).items()}
