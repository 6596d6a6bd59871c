"""Keras callbacks of a training run: progress line, TensorBoard, sample grids, checkpoints."""

from __future__ import annotations

import math
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from ganzoo import images as images_lib
from ganzoo.errors import TrainingError


def format_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


class TrainingMonitor(keras.callbacks.Callback):
    """Everything a run does between steps, keyed on the global step.

    Every `log_every` steps: checks the losses are finite, prints the progress line, writes
    TensorBoard scalars and resets the running means. Every `sample_every`: a PNG grid of the
    fixed-z samples, also in TensorBoard. Every `checkpoint_every` and at the end: a checkpoint.
    """

    def __init__(self, run_checkpoint, workdir, config, reference=None, stream=None):
        super().__init__()
        self.ckpt = run_checkpoint
        self.workdir = workdir
        self.config = config
        self.train = config.train
        self.total = config.train.steps
        self.batch_size = config.train.batch_size
        self.reference = reference  # real 2-D points drawn under the samples, when 2-D
        self.stream = stream or sys.stdout
        self.writer = tf.summary.create_file_writer(workdir.tensorboard_dir)
        self.fixed_z = None
        self.last_saved_step = None

    # -- helpers ---------------------------------------------------------------------------
    def _step(self) -> int:
        return self.ckpt.step

    def _check_finite(self, logs, step):
        for name, value in (logs or {}).items():
            if not math.isfinite(float(value)):
                last = self.ckpt.latest
                kept = (
                    f"The last good checkpoint ({os.path.basename(last)}) is kept."
                    if last
                    else "No checkpoint was written."
                )
                raise TrainingError(
                    f"Non-finite {name} ({float(value)}) at step {step}. {kept} Training stopped; "
                    "try lower learning rates (--set optimizer.d_lr=... --set optimizer.g_lr=...) "
                    "or another loss (--set model.loss=...)."
                )

    def write_samples(self, step: int) -> str:
        if self.fixed_z is None:
            self.fixed_z = self.model.latent_for_seed(
                self.config.sample.num, self.config.sample.seed
            )
        samples = keras.ops.convert_to_numpy(
            self.model.sampling_generator(self.fixed_z, training=False)
        )
        if samples.ndim == 4:
            picture = images_lib.image_grid(
                samples[: self.config.sample.cols**2], self.config.sample.cols
            )
        else:
            picture = images_lib.picture(samples, reference=self.reference)
        path = os.path.join(self.workdir.samples_dir, f"step_{step:06d}.png")
        images_lib.write_png(path, picture)
        with self.writer.as_default(step=step):
            tf.summary.image("samples", picture[None], max_outputs=1)
        self.writer.flush()
        return path

    def save_checkpoint(self, logs=None):
        step = self._step()
        if step == self.last_saved_step:
            return
        self._check_finite(logs, step)
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
        if step % self.train.log_every == 0 or step >= self.total:
            self.log(step, logs)
        if step % self.train.sample_every == 0 or step >= self.total:
            self.write_samples(step)
        if step % self.train.checkpoint_every == 0 or step >= self.total:
            self.save_checkpoint(logs)

    def on_train_end(self, logs=None):
        self.writer.flush()

    def log(self, step, logs):
        logs = {k: float(v) for k, v in (logs or {}).items()}
        self._check_finite(logs, step)
        now = time.perf_counter()
        steps = step - self.window_step
        if steps > 0:
            self.images_per_sec = steps * self.batch_size / (now - self.window_start)
        done = step - self.start_step
        remaining = self.total - step
        per_step = (now - self.run_start) / max(done, 1)
        self.window_start, self.window_step = now, step
        with self.writer.as_default(step=step):
            for name, value in logs.items():
                tf.summary.scalar(f"train/{name}", value)
            tf.summary.scalar("train/images_per_sec", self.images_per_sec)
        parts = " ".join(f"{k} {v:.4f}" for k, v in sorted(logs.items()))
        print(
            f"step {step}/{self.total} | {parts} | {self.images_per_sec:.0f} img/s | "
            f"ETA {format_duration(remaining * per_step)}",
            file=self.stream,
            flush=True,
        )
        self.model.reset_metrics()


def reference_points(config, n: int = 2000) -> np.ndarray | None:
    """Real points to draw under 2-D samples, or None for images."""
    if config.data.source != "synthetic":
        return None
    from ganzoo.data import synthetic

    return synthetic.sample_synthetic(config.data.name, n, seed=config.seed + 1)
