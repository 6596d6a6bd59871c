"""Keras callbacks of a training run: progress line, TensorBoard, health, samples, checkpoints."""

from __future__ import annotations

import json
import math
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from ganzoo import images as images_lib
from ganzoo.family import family_of
from ganzoo.training import health as health_lib

PROGRESS_KEYS = ("d_loss", "g_loss", "d_real_acc", "d_fake_acc")


def format_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


class TrainingMonitor(keras.callbacks.Callback):
    """Everything a run does between steps, keyed on the global step.

    Every step: checks that the losses and gradient norms are finite; on a NaN/Inf it records
    where (`self.nonfinite`) and stops `fit` before anything is written, so the caller can roll
    back. Every `log_every` steps: the progress line, TensorBoard scalars, a line in
    `train_log.jsonl`, the health diagnostics, then the running means are reset. Every
    `sample_every`: a PNG grid of the fixed-z samples, also in TensorBoard. Every
    `checkpoint_every` and at the end: a checkpoint.

    A worker of a multi-worker run that is not the `chief` writes nothing into the workdir (no
    TensorBoard events, log lines, samples or health readings: all are the chief's); it still
    resets the running means at each log step, prints its progress line, and calls the
    checkpoint's `save` when the chief does.
    """

    def __init__(
        self,
        run_checkpoint,
        workdir,
        config,
        reference=None,
        real_sample=None,
        stream=None,
        chief=True,
    ):
        super().__init__()
        self.ckpt = run_checkpoint
        self.workdir = workdir
        self.config = config
        self.train = config.train
        self.total = config.train.steps
        self.batch_size = config.train.batch_size
        self.reference = reference  # real 2-D points drawn under the samples, when 2-D
        self.stream = stream or sys.stdout
        self.chief = chief
        self.writer = summary_writer(workdir, chief)
        self.last_saved_step = None
        self.nonfinite = None  # (step, name, value) of the first non-finite reading
        self.last_samples = None  # the file the latest samples went to
        self.health = None
        # The exception to raise at the end of the current batch (KeyboardInterrupt for Ctrl-C,
        # errors.Terminated for SIGTERM), set by the signal handlers of train_lib._fit.
        self.interrupted = None
        if chief and real_sample is not None and len(real_sample) >= 2:
            h = config.health
            self.health = health_lib.HealthWatch(
                health_lib.mean_pairwise_distance(real_sample),
                h.diversity_warn,
                h.d_win_acc,
                h.patience,
            )

    # -- helpers ---------------------------------------------------------------------------
    def _step(self) -> int:
        return self.ckpt.step

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def _first_nonfinite(self, logs):
        """(names, value) of the non-finite readings, losses first, or None."""
        bad = {k: float(v) for k, v in (logs or {}).items() if not math.isfinite(float(v))}
        if not bad:
            return None
        names = sorted(bad, key=lambda k: (not k.endswith("_loss"), k))
        return ", ".join(names), bad[names[0]]

    def fixed_samples(self, num):
        # The same z (and labels, for conditional GANs) at every call: deterministic in the seed.
        return self.model.generate(num, seed=self.config.sample.seed)

    def write_samples(self, step: int) -> str:
        """The fixed-z samples of `step`, written as the run's family shows them."""
        self.last_samples = family_of(self.config).training_samples(self, step)
        return self.last_samples

    def write_picture(self, step: int, picture) -> str:
        """samples/step_XXXXXX.png and the TensorBoard image `samples`; returns the PNG."""
        path = os.path.join(self.workdir.samples_dir, f"step_{step:06d}.png")
        images_lib.write_png(path, picture)
        with self.writer.as_default(step=step):
            tf.summary.image("samples", picture[None], max_outputs=1)
        self.writer.flush()
        return path

    def save_checkpoint(self):
        step = self._step()
        if step == self.last_saved_step or self.nonfinite is not None:
            return
        self.ckpt.save()
        self.last_saved_step = step

    # -- Keras hooks -----------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self.start_step = self._step()
        self.window_start = time.perf_counter()
        self.window_step = self.start_step
        self.run_start = self.window_start
        self.images_per_sec = float("nan")

    def on_train_batch_end(self, batch, logs=None):
        step = self._step()
        bad = self._first_nonfinite(logs)
        if bad is not None:
            self.nonfinite = (step, *bad)
            self.model.stop_training = True
            return
        if step % self.train.log_every == 0 or step >= self.total:
            self.log(step, logs)
        if self.chief and (step % self.train.sample_every == 0 or step >= self.total):
            self.write_samples(step)  # the model's own weights, no collective: chief only
        if step % self.train.checkpoint_every == 0 or step >= self.total:
            self.save_checkpoint()
        if self.interrupted is not None:
            raise self.interrupted()  # a signal during this batch (train_lib saves the checkpoint)

    def on_train_end(self, logs=None):
        self.writer.flush()

    def log(self, step, logs):
        logs = {k: float(v) for k, v in (logs or {}).items()}
        now = time.perf_counter()
        steps = step - self.window_step
        if steps > 0:
            self.images_per_sec = steps * self.batch_size / (now - self.window_start)
        per_step = (now - self.run_start) / max(step - self.start_step, 1)
        self.window_start, self.window_step = now, step
        warnings = []
        if self.health is not None:
            diversity = health_lib.mean_pairwise_distance(
                self.fixed_samples(self.config.health.diversity_samples)
            )
            logs["diversity"] = diversity / max(self.health.real_diversity, 1e-12)
            warnings = self.health.update(
                step, logs["diversity"], logs.get("d_real_acc", 0.0), logs.get("d_fake_acc", 0.0)
            )
        with self.writer.as_default(step=step):
            for name, value in logs.items():
                tf.summary.scalar(f"train/{name}", value)
            tf.summary.scalar("train/images_per_sec", self.images_per_sec)
            for text in warnings:
                tf.summary.text("health/warnings", text)
        if self.chief:
            self._append_log({"step": step, "images_per_sec": self.images_per_sec, **logs})
        shown = [k for k in (*PROGRESS_KEYS, "d_penalty", "diversity", "ada_p") if k in logs]
        parts = " ".join(f"{k} {logs[k]:.4f}" for k in shown)
        self.say(
            f"step {step}/{self.total} | {parts} | {self.images_per_sec:.0f} img/s | "
            f"ETA {format_duration((self.total - step) * per_step)}"
        )
        for text in warnings:
            self.say(text)
        self.model.reset_metrics()

    def _append_log(self, record):
        # One JSON line per log step; after a rollback, later lines for a step supersede.
        with open(self.workdir.sub("train_log.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def summary_writer(workdir, chief: bool = True):
    """The run's TensorBoard writer; a no-op writer on a worker that is not the chief."""
    if not chief:
        return tf.summary.create_noop_writer()
    return tf.summary.create_file_writer(workdir.tensorboard_dir)


def reference_points(config, n: int = 2000) -> np.ndarray | None:
    """Real points to draw under 2-D samples, or None for images."""
    if config.data.source != "synthetic":
        return None
    from ganzoo.data import synthetic

    return synthetic.sample_synthetic(config.data.name, n, seed=config.seed + 1)
