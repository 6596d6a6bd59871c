"""Runs one (model, implementation) benchmark, in this process or in a fresh one per pair."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import multiprocessing
import traceback

import numpy as np

from benchmarks import impls as impls_lib
from benchmarks import memory
from benchmarks import models as models_lib
from benchmarks.timing import Timing, time_step


@dataclasses.dataclass
class Settings:
    batch: int | None = None  # None: the model table's batch
    windows: int = 5
    steps_per_window: int = 20
    warmup: int = 10
    overrides: dict = dataclasses.field(default_factory=dict)  # config overrides, e.g. width
    torch_threads: int = 0  # 0: torch's default (one per physical core)


@dataclasses.dataclass
class Result:
    model: str
    impl: str
    batch: int = 0
    timing: Timing | None = None
    flops: int | None = None
    flop_source: str = ""
    xla: bool = False
    start_rss_mib: float | None = None  # after building, before the first step
    peak_rss_mib: float | None = None  # the process's peak, through the timed windows
    gpu_peak_mib: float | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    skipped: str = ""  # why it did not run (unavailable or failed)

    @property
    def ok(self) -> bool:
        return self.timing is not None


def random_images(config, batch: int, seed: int = 0) -> np.ndarray:
    """One batch of uniform random images in [-1, 1], NHWC float32: the benchmark's data."""
    m = config.model
    rng = np.random.default_rng(seed)
    shape = (batch, m.resolution, m.resolution, m.channels)
    return rng.uniform(-1.0, 1.0, shape).astype("float32")


def run_impl(model_name: str, impl: str, settings: Settings) -> Result:
    """Builds, warms up and times `impl` on `model_name` in this process."""
    model = models_lib.get(model_name)
    result = Result(model_name, impl)
    reason = models_lib.unavailable_reason(model)
    if reason:
        result.skipped = reason
        return result
    config = models_lib.config_for(model, settings.batch, settings.overrides)
    result.batch = config.train.batch_size
    images = random_images(config, result.batch)
    try:
        prepared = impls_lib.IMPLS[impl](model, config, images, settings)
    except impls_lib.Unavailable as e:
        result.skipped = str(e)
        return result
    result.start_rss_mib = memory.current_rss_mib()
    result.timing = time_step(
        prepared.step,
        prepared.sync,
        warmup=settings.warmup,
        windows=settings.windows,
        steps_per_window=settings.steps_per_window,
    )
    result.flops, result.flop_source, result.xla = (
        prepared.flops,
        prepared.flop_source,
        prepared.xla,
    )
    result.peak_rss_mib = memory.peak_rss_mib()
    result.gpu_peak_mib = prepared.gpu_peak_mib()
    result.notes = prepared.notes
    return result


def run_isolated(model_name: str, impl: str, settings: Settings) -> Result:
    """`run_impl` in a fresh process, so peak RSS and caches belong to this pair alone."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        try:
            return pool.submit(run_impl, model_name, impl, settings).result()
        except Exception as e:  # report and go on with the other pairs
            last = traceback.format_exception_only(e)[-1].strip()
            return Result(model_name, impl, skipped=f"failed: {last}")


def validate_names(models: list[str], impls: list[str]) -> None:
    for name in models:
        models_lib.get(name)
    unknown = [i for i in impls if i not in impls_lib.IMPLS]
    if unknown:
        raise ValueError(f"Received: impls={unknown}. Expected some of {list(impls_lib.IMPLS)}.")
