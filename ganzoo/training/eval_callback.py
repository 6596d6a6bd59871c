"""The evaluation callback of a training run: metrics every `eval.every` steps, best checkpoint."""

from __future__ import annotations

import json
import os
import sys

import keras
import tensorflow as tf

from ganzoo.checkpoint import BEST_DIR, RunCheckpoint
from ganzoo.family import family_of
from ganzoo.metrics import evaluator as evaluator_lib
from ganzoo.training import distribute as distribute_lib
from ganzoo.training.callbacks import summary_writer


class EvalCallback(keras.callbacks.Callback):
    """Every `eval.every` steps (and at the last step when `eval.at_end`): scores
    `gan.sampling_generator` with its family's evaluator (`ganzoo.metrics.evaluator.Evaluator` for images), writes eval/step_XXXXXX.json and
    TensorBoard scalars `eval/<metric>`, and when the result ranks best (lowest FID; most modes
    for synthetic data) saves checkpoints/best/ and eval/best.json.

    A worker of a multi-worker run that is not the `chief` has no evaluator: at the same steps
    it learns from the chief whether the result ranks best (a collective) and, if so, joins the
    best checkpoint's save, writing nothing into the workdir.
    """

    def __init__(self, evaluator, workdir, config, stream=None, chief=True):
        super().__init__()
        self.evaluator = evaluator
        self.family = family_of(config)
        self.workdir = workdir
        self.chief = chief
        self.every = config.eval.every
        self.at_end = config.eval.at_end
        self.total = config.train.steps
        self.stream = stream or sys.stdout
        self.writer = summary_writer(workdir, chief)
        self.best_path = workdir.sub("eval", "best.json")
        self.best = self._read_best() if chief else None
        self.last_step = None
        self.last_result = None  # the chief's latest result (the run's summary may show it)
        self.best_ckpt = None

    def _read_best(self) -> dict | None:
        try:
            with open(self.best_path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _due(self, step: int) -> bool:
        return bool(self.every and step % self.every == 0) or (self.at_end and step >= self.total)

    def on_train_batch_end(self, batch, logs=None):
        step = int(self.model.g_optimizer.iterations.numpy())
        if step != self.last_step and self._due(step):
            self.last_step = step
            if self.chief:
                self.evaluate(step)
            elif self._chief_says_best(False):
                self._save_best()

    def evaluate(self, step: int) -> dict:
        result = self.evaluator.evaluate(self.model, step=step, checkpoint="training")
        self.last_step, self.last_result = step, result
        self.workdir.write_json(evaluator_lib.result_path(step), result)
        with self.writer.as_default(step=step):
            for name, value in result["metrics"].items():
                if isinstance(value, (int, float)):
                    tf.summary.scalar(f"eval/{name}", value)
        self.writer.flush()
        best = self.best is None or not evaluator_lib.comparable(result, self.best)
        best = self._chief_says_best(best or self.family.rank(result) < self.family.rank(self.best))
        if best:
            result["checkpoint_path"] = self._save_best()
            self.workdir.write_json(os.path.join("eval", "best.json"), result)
            self.best = result
        print(
            f"eval step {step}: {evaluator_lib.summary(result)} ({result['seconds']:.0f}s)"
            + (" [best]" if best else ""),
            file=self.stream,
            flush=True,
        )
        return result

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
