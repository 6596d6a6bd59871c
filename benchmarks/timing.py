"""Wall-clock timing of a step function: warm-up, then the median over several timed windows."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.machine import busy_cpu_seconds


@dataclasses.dataclass
class Timing:
    """`window_ms`: mean ms per step in each timed window; `first_step_s` includes tracing and
    compilation (XLA), which warm-up keeps out of the windows. `cpu_cores` below the machine's
    core count while other jobs run means the step was starved of CPU (spinning threads count
    as busy, so a high value does not prove useful work); `other_cores` is what the rest of the
    machine used meanwhile (0 on an otherwise idle machine)."""

    window_ms: list[float]
    first_step_s: float
    steps_per_window: int
    cpu_cores: float = 0.0  # this process's CPU time / wall time over the windows
    other_cores: float | None = None  # other processes' CPU time / wall time, same span

    @property
    def median_ms(self) -> float:
        return statistics.median(self.window_ms)

    def images_per_s(self, batch: int) -> float:
        return batch * 1000.0 / self.median_ms


def time_step(
    step: Callable[[], Any],
    sync: Callable[[Any], None],
    *,
    warmup: int,
    windows: int,
    steps_per_window: int,
) -> Timing:
    """Runs `step` 1 + (warmup - 1) + windows * steps_per_window times.

    `sync(result)` waits for the device to finish (on CPU: a tiny device-to-host copy), so a
    window measures finished work, not queued work. It runs after the first step, after the
    warm-up and once per window, not after every step: the steps are timed back to back, as in
    training.
    """
    if windows < 1 or steps_per_window < 1:
        raise ValueError(
            f"Received: windows={windows}, steps_per_window={steps_per_window}. Expected >= 1."
        )
    start = time.perf_counter()
    sync(step())
    first = time.perf_counter() - start
    out = None
    for _ in range(max(warmup - 1, 0)):
        out = step()
    if out is not None:
        sync(out)
    window_ms = []
    busy_start = busy_cpu_seconds()
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for _ in range(windows):
        start = time.perf_counter()
        for _ in range(steps_per_window):
            out = step()
        sync(out)
        window_ms.append((time.perf_counter() - start) * 1000.0 / steps_per_window)
    own, wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
    busy_end = busy_cpu_seconds()
    others = None
    if busy_start is not None and busy_end is not None:
        others = max(busy_end - busy_start - own, 0.0) / wall
    return Timing(window_ms, first, steps_per_window, own / wall, others)
