"""This machine's measured float32 matmul rate: the yardstick for "% of peak"."""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from benchmarks.timing import time_step


@dataclasses.dataclass
class Peak:
    gflops: float  # median over windows
    n: int
    device: str


def matmul_peak(n: int = 2048, windows: int = 5, reps: int = 5, device: str = "") -> Peak:
    """GFLOP/s of an n x n float32 `tf.matmul` (2 n^3 FLOPs each), median of `windows` windows
    of `reps` products after two warm-up products. `device`: e.g. "/GPU:0"; "" = TF's default.
    """
    device = device or ("/GPU:0" if tf.config.list_logical_devices("GPU") else "/CPU:0")
    with tf.device(device):
        a = tf.random.stateless_uniform((n, n), seed=(1, 2), dtype=tf.float32)
        b = tf.random.stateless_uniform((n, n), seed=(3, 4), dtype=tf.float32)

        def step():
            return tf.matmul(a, b)

        def sync(c):
            c[0, 0].numpy()

        timing = time_step(step, sync, warmup=2, windows=windows, steps_per_window=reps)
    return Peak(2.0 * n**3 / (timing.median_ms * 1e-3) / 1e9, n, device)
