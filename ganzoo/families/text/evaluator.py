"""Evaluation of text runs: n-gram JS and word share of generated text against held-out text.

Every record carries, beside the generator's metrics, the real-data floor (as many training
sequences as generated ones, scored the same way against the held-out text: what a perfect
generator reaches with this sample size), a trivial baseline (random text with the training
text's character frequencies) and the character n-gram Markov baselines (`baselines`).
"""

from __future__ import annotations

import datetime
import sys
import time

import numpy as np

from ganzoo.families.text import baselines as text_baselines
from ganzoo.families.text import data as text_data
from ganzoo.families.text import metrics as text_metrics

EXTRACTOR = "text"
EXTRACTOR_NAME = "char_ngrams"
NUM_EXAMPLES = 10  # generated texts kept in each record


class TextEvaluator:
    """Scores text generators of one config against its held-out split (eval.split); loads
    the corpus once. Same interface as ganzoo.metrics.evaluator.Evaluator (`evaluate(gan, **extra)`)."""

    kind = EXTRACTOR

    def __init__(self, config, stream=None) -> None:
        self.config = config
        self.stream = stream or sys.stdout
        self.vocab = text_data.resolve_vocab(config)
        train = text_data.load_corpus(config, "train")
        self.train_texts = list(train.texts)
        self.reference = list(text_data.load_corpus(config, config.eval.split).texts)
        self.vocabulary = set(text_metrics.words(self.train_texts))
        self._context = None
        from ganzoo.metrics import evaluator as evaluator_lib

        self._generated = evaluator_lib.GeneratedBatches()

    def metrics(self, texts: list[str]) -> dict:
        return text_metrics.text_metrics(texts, self.reference, self.vocabulary)

    def context(self) -> dict:
        """{real_floor: metrics of training text, unigram_baseline: metrics of random text,
        baselines: the metrics of each baseline (unigram and the character n-gram Markov models
        of ganzoo.families.text.baselines)}, each of eval.num_samples sequences (the floor:
        fewer when the training split is smaller)."""
        if self._context is None:
            figures = text_baselines.baseline_figures(self.config)
            self._context = {
                "real_floor": figures["real_floor"],
                "real_floor_count": min(self.config.eval.num_samples, len(self.train_texts)),
                "unigram_baseline": figures["unigram"],
                "baselines": {name: figures[name] for name in text_baselines.BASELINES},
            }
        return self._context

    def evaluate_texts(self, texts: list[str], **extra) -> dict:
        start = time.perf_counter()
        metrics = self.metrics(texts)
        ev = self.config.eval
        return {
            "dataset": self.config.data.path or self.config.data.name,
            "split": ev.split,
            "extractor": EXTRACTOR,
            "extractor_name": EXTRACTOR_NAME,
            "num_samples": len(texts),
            "metrics": metrics,
            **self.context(),
            "reference_count": len(self.reference),
            "vocab": self.vocab,
            "examples": texts[:NUM_EXAMPLES],
            "seconds": round(time.perf_counter() - start, 2),
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "eval_config": ev.to_dict(),
            **extra,
        }

    def generate_texts(self, gan) -> list[str]:
        batches = self._generated(gan, self.config.eval)
        return text_data.decode(np.concatenate(list(batches)), self.vocab)

    def evaluate(self, gan, **extra) -> dict:
        """The record of eval.num_samples generated sequences (z seeded by eval.seed)."""
        return self.evaluate_texts(self.generate_texts(gan), **extra)


def evaluate_real(config, stream=None) -> dict:
    """The record of data.split's real sequences (the floor; training text by default)."""
    evaluator = TextEvaluator(config, stream)
    texts = list(text_data.load_corpus(config, config.data.split).texts)
    return evaluator.evaluate_texts(
        texts[: config.eval.num_samples], generated_split=config.data.split
    )
