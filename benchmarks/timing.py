"""Wall-clock timing of a step function: a first step, warm-up, then timed windows whose
median is the result. Windows can be interleaved with other implementations' windows."""

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
    machine used meanwhile (0 on an otherwise idle machine). Both are over the windows only.
    `window_cpu_ms`: the process's CPU time (all its threads) per step in each window; under
    load it moves far less than wall time, so it is the fairer measure on a shared machine
    (though threads spinning while they wait for each other count as busy)."""

    window_ms: list[float]
    first_step_s: float
    steps_per_window: int
    cpu_cores: float = 0.0
    other_cores: float | None = None
    window_cpu_ms: list[float] = dataclasses.field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.window_ms)

    @property
    def median_cpu_ms(self) -> float | None:
        return statistics.median(self.window_cpu_ms) if self.window_cpu_ms else None

    def images_per_s(self, batch: int) -> float:
        return batch * 1000.0 / self.median_ms


class StepTimer:
    """Times `step`; `sync(result)` waits until the device has finished it (on CPU: a tiny
    device-to-host copy). Sync runs after the first step, after the warm-up and once per window,
    not after every step: the steps run back to back, as in training."""

    def __init__(self, step: Callable[[], Any], sync: Callable[[Any], None]):
        self.step, self.sync = step, sync
        self.first_step_s = 0.0
        self.window_ms: list[float] = []
        self.window_cpu_ms: list[float] = []
        self._own = self._wall = self._busy = 0.0
        self._busy_known = True

    def first(self) -> None:
        start = time.perf_counter()
        self.sync(self.step())
        self.first_step_s = time.perf_counter() - start

    def warmup(self, steps: int) -> None:
        out = None
        for _ in range(steps):
            out = self.step()
        if out is not None:
            self.sync(out)

    def window(self, steps: int) -> float:
        """Runs one timed window of `steps` steps; returns its ms per step."""
        if steps < 1:
            raise ValueError(f"Received: steps_per_window={steps}. Expected >= 1.")
        busy, cpu, start = busy_cpu_seconds(), time.process_time(), time.perf_counter()
        out = None
        for _ in range(steps):
            out = self.step()
        self.sync(out)
        wall = time.perf_counter() - start
        own = time.process_time() - cpu
        busy_end = busy_cpu_seconds()
        self._wall += wall
        self._own += own
        if busy is None or busy_end is None:
            self._busy_known = False
        else:
            self._busy += max(busy_end - busy - own, 0.0)
        self.window_ms.append(wall * 1000.0 / steps)
        self.window_cpu_ms.append(own * 1000.0 / steps)
        return self.window_ms[-1]

    def timing(self, steps_per_window: int) -> Timing:
        if not self.window_ms:
            raise ValueError("No timed window yet: call window() first.")
        others = self._busy / self._wall if self._busy_known else None
        return Timing(
            list(self.window_ms),
            self.first_step_s,
            steps_per_window,
            self._own / self._wall,
            others,
            list(self.window_cpu_ms),
        )


def time_step(
    step: Callable[[], Any],
    sync: Callable[[Any], None],
    *,
    warmup: int,
    windows: int,
    steps_per_window: int,
) -> Timing:
    """1 first step, warmup - 1 more, then `windows` windows of `steps_per_window` steps."""
    if windows < 1:
        raise ValueError(f"Received: windows={windows}. Expected >= 1.")
    timer = StepTimer(step, sync)
    timer.first()
    timer.warmup(max(warmup - 1, 0))
    for _ in range(windows):
        timer.window(steps_per_window)
    return timer.timing(steps_per_window)
