"""The evaluation callback of a training run: metrics every `eval.every` steps, beside the real
data's floor and a trivial baseline, and the best checkpoint by the family's headline metric."""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time

import keras
import tensorflow as tf

from ganzoo.checkpoint import BEST_DIR, RunCheckpoint
from ganzoo.family import family_of
from ganzoo.metrics import evaluator as evaluator_lib
from ganzoo.training import distribute as distribute_lib
from ganzoo.training.callbacks import summary_writer

REFERENCE_PATH = os.path.join("eval", "reference.json")
REFERENCE_VERSION = 1
# eval settings a resume may change that change no reference figure.
_NOT_REFERENCE_KEYS = ("every", "at_end", "checkpoint", "batch_size")


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return "n/a" if value is None else str(value)


def _scalar(value) -> bool:
    """A number TensorBoard can draw and `rank` can order (not a bool, not NaN)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def rank(metrics: dict, watched) -> tuple:
    """Sort key of a result's metrics, smaller is better: the watched metrics in order (the
    headline first), each negated when higher is better; a missing or NaN value ranks last."""
    return tuple(
        (value if metric.better == "min" else -value) if _scalar(value) else math.inf
        for metric in watched
        for value in [metrics.get(metric.key)]
    )


def beside(key: str, references: dict) -> str:
    """`unigram 0.79, real 0.13`: metric `key` of the baselines, then of the real data."""
    names = sorted(references, key=lambda name: name == "real")  # stable: baselines first
    return ", ".join(f"{n} {_number(references[n][key])}" for n in names if key in references[n])


def watched_summary(metrics: dict, references: dict, watched) -> str:
    """`js_4 0.52 (unigram 0.79, real 0.13) | word_share ...`: each watched metric beside its
    reference figures."""
    parts = []
    for metric in watched:
        shown = beside(metric.key, references)
        value = f"{metric.key} {_number(metrics.get(metric.key))}"
        parts.append(f"{value} ({shown})" if shown else value)
    return " | ".join(parts)


def custom_layout(watched):
    """TensorBoard's custom-scalar layout: one chart per watched metric drawing `eval/<key>`
    with its reference lines `eval/<key>/<name>` (the Custom Scalars tab)."""
    from tensorboard.plugins.custom_scalar import layout_pb2
    from tensorboard.summary.v1 import custom_scalar_pb

    charts = [
        layout_pb2.Chart(
            title=m.key,
            multiline=layout_pb2.MultilineChartContent(tag=[rf"^eval/{re.escape(m.key)}(/.*)?$"]),
        )
        for m in watched
    ]
    return custom_scalar_pb(
        layout_pb2.Layout(category=[layout_pb2.Category(title="eval", chart=charts)])
    )


class EvalCallback(keras.callbacks.Callback):
    """Every `eval.every` steps (and at the last step when `eval.at_end`): scores
    `gan.sampling_generator` with its family's evaluator, writes eval/step_XXXXXX.json and
    TensorBoard scalars `eval/<metric>`, and prints one line with the family's watched metrics
    (`Family.watched_metrics`) beside their reference figures:

        eval step 2000: js_4 0.52 (unigram 0.79, real 0.13) | word_share ... · best so far · 3s

    The reference figures (`Family.reference_figures`: the real data's floor and the trivial
    baselines) are computed when training starts, once per run: eval/reference.json keeps them
    for resumes. Each watched metric's are written beside it at every evaluation, as
    `eval/<metric>/real` and `eval/<metric>/<baseline>` (one chart each in the Custom Scalars
    tab). When a result ranks best by the watched metrics (`rank`: the headline metric, ties
    broken by the others), checkpoints/best/ and eval/best.json are saved.

    A worker of a multi-worker run that is not the `chief` has no evaluator: at the same steps
    it learns from the chief whether the result ranks best (a collective) and, if so, joins the
    best checkpoint's save, writing nothing into the workdir.
    """

    def __init__(self, evaluator, workdir, config, stream=None, chief=True):
        super().__init__()
        self.evaluator = evaluator
        self.config = config
        self.family = family_of(config)
        self.watched = self.family.watched_metrics(config)
        self.workdir = workdir
        self.chief = chief
        self.every = config.eval.every
        self.at_end = config.eval.at_end
        self.total = config.train.steps
        self.stream = stream or sys.stdout
        self.writer = summary_writer(workdir, chief)
        self.best_path = workdir.sub("eval", "best.json")
        self.best = self._read_json(self.best_path) if chief else None
        self.references = None  # {name: metrics}, once `reference_figures` ran
        self.last_step = None
        self.last_result = None  # the chief's latest result (the run's summary may show it)
        self.best_ckpt = None

    @staticmethod
    def _read_json(path: str) -> dict | None:
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _due(self, step: int) -> bool:
        return bool(self.every and step % self.every == 0) or (self.at_end and step >= self.total)

    def on_train_begin(self, logs=None):
        if self.chief and self.references is None:
            self.reference_figures()
            with self.writer.as_default(step=0):
                tf.summary.experimental.write_raw_pb(
                    custom_layout(self.watched).SerializeToString(), step=0
                )
            self.writer.flush()

    def reference_key(self) -> dict:
        """What the reference figures depend on that a resume may change: the eval settings."""
        ev = {k: v for k, v in self.config.eval.to_dict().items() if k not in _NOT_REFERENCE_KEYS}
        return {"version": REFERENCE_VERSION, "family": self.family.name, "eval": ev}

    def reference_figures(self) -> dict:
        """The family's reference figures: read from eval/reference.json when it was written
        with the same eval settings, else computed (and written there)."""
        if self.references is not None:
            return self.references
        key = json.loads(json.dumps(self.reference_key()))  # as JSON gives it back
        saved = self._read_json(self.workdir.sub(REFERENCE_PATH))
        if saved and saved.get("key") == key:
            self.references = saved["figures"]
            return self.references
        start = time.perf_counter()
        figures = self.family.reference_figures(self.config, self.evaluator)
        self.references = json.loads(json.dumps(figures))
        payload = {"key": key, "figures": self.references, "seconds": time.perf_counter() - start}
        path = self.workdir.write_json(REFERENCE_PATH, payload)
        if self.references:
            shown = "; ".join(f"{m.key} {beside(m.key, self.references)}" for m in self.watched)
            print(
                f"eval references, once ({payload['seconds']:.0f}s): {shown} -> {path}",
                file=self.stream,
                flush=True,
            )
        return self.references

    def on_train_batch_end(self, batch, logs=None):
        step = int(self.model.g_optimizer.iterations.numpy())
        if step != self.last_step and self._due(step):
            self.last_step = step
            if self.chief:
                self.evaluate(step)
            elif self._chief_says_best(False):
                self._save_best()

    def evaluate(self, step: int) -> dict:
        references = self.reference_figures()
        result = self.evaluator.evaluate(self.model, step=step, checkpoint="training")
        self.last_step, self.last_result = step, result
        self.workdir.write_json(evaluator_lib.result_path(step), result)
        self._write_scalars(step, result["metrics"], references)
        best = self._chief_says_best(self._ranks_best(result))
        if best:
            result["checkpoint_path"] = self._save_best()
            self.workdir.write_json(os.path.join("eval", "best.json"), result)
            self.best = result
        headline = self.watched[0].key
        standing = (
            "best so far"
            if best
            else f"best: step {self.best.get('step')} ({headline} "
            f"{_number(self.best['metrics'].get(headline))})"
        )
        print(
            f"eval step {step}: {watched_summary(result['metrics'], references, self.watched)}"
            f" · {standing} · {result['seconds']:.0f}s",
            file=self.stream,
            flush=True,
        )
        return result

    def _ranks_best(self, result: dict) -> bool:
        """Better than the kept best by `rank`; a result that cannot be compared with it
        (other data, extractor or sample count) replaces it."""
        if self.best is None or not evaluator_lib.comparable(result, self.best):
            return True
        return rank(result["metrics"], self.watched) < rank(self.best["metrics"], self.watched)

    def _write_scalars(self, step: int, metrics: dict, references: dict) -> None:
        """`eval/<metric>` for every number; `eval/<metric>/<name>` for the watched ones'
        reference figures (the same value at every step: a level line beside the curve)."""
        with self.writer.as_default(step=step):
            for name, value in metrics.items():
                if _scalar(value):
                    tf.summary.scalar(f"eval/{name}", value)
            for metric in self.watched:
                for name, figures in references.items():
                    if _scalar(figures.get(metric.key)):
                        tf.summary.scalar(f"eval/{metric.key}/{name}", figures[metric.key])
        self.writer.flush()

    def _chief_says_best(self, best: bool) -> bool:
        # Every worker must take part in the best checkpoint's save; only the chief evaluated.
        return distribute_lib.chief_says(self.model.distribute_strategy, best)

    def _save_best(self) -> str:
        if self.best_ckpt is None:
            directory = self.workdir.sub(BEST_DIR)
            self.best_ckpt = RunCheckpoint(self.model, directory, max_to_keep=1, chief=self.chief)
        return self.best_ckpt.save()


def eval_callback(config, workdir, stream=None, chief=True) -> EvalCallback | None:
    """The callback for `config`, or None when evaluation during training is off. Loads the
    extractor and the real statistics now, so their errors come before any training (on the
    chief: the other workers of a multi-worker run do not evaluate)."""
    if not config.eval.every and not config.eval.at_end:
        return None
    evaluator = family_of(config).make_evaluator(config, stream) if chief else None
    return EvalCallback(evaluator, workdir, config, stream, chief)
