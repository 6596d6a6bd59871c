"""Runs (model, implementation) benchmarks: each prepared and warmed up once, then their timed
windows interleaved round-robin, so load from other jobs on a shared machine falls on all of
them alike. With `isolate`, each pair lives in its own process (clean peak RSS, no thread
pools left over from another framework); only one process computes at a time."""

from __future__ import annotations

import dataclasses
import multiprocessing
import traceback

import numpy as np

from benchmarks import impls as impls_lib
from benchmarks import memory
from benchmarks import models as models_lib
from benchmarks.timing import StepTimer, Timing


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
    matmul_conv_flops: int | None = None
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


class Session:
    """One (model, impl) pair: built, first step and warm-up at construction, then `window()`
    as often as asked, then `result()`. `skipped` is set (and nothing built) when the pair
    cannot run here."""

    def __init__(self, model_name: str, impl: str, settings: Settings):
        self.settings = settings
        self.result_ = Result(model_name, impl)
        self.timer: StepTimer | None = None
        model = models_lib.get(model_name)
        reason = models_lib.unavailable_reason(model)
        if reason:
            self.result_.skipped = reason
            return
        config = models_lib.config_for(model, settings.batch, settings.overrides)
        self.result_.batch = config.train.batch_size
        images = random_images(config, self.result_.batch)
        try:
            self.prepared = impls_lib.IMPLS[impl](model, config, images, settings)
        except impls_lib.Unavailable as e:
            self.result_.skipped = str(e)
            return
        self.result_.start_rss_mib = memory.current_rss_mib()
        self.timer = StepTimer(self.prepared.step, self.prepared.sync)
        self.timer.first()
        self.timer.warmup(max(settings.warmup - 1, 0))

    @property
    def skipped(self) -> str:
        return self.result_.skipped

    def window(self) -> float:
        return self.timer.window(self.settings.steps_per_window)

    def result(self) -> Result:
        r = self.result_
        if self.timer is not None:
            p = self.prepared
            r.timing = self.timer.timing(self.settings.steps_per_window)
            r.flops, r.matmul_conv_flops = p.flops, p.matmul_conv_flops
            r.flop_source, r.xla, r.notes = p.flop_source, p.xla, p.notes
            r.peak_rss_mib = memory.peak_rss_mib()
            r.gpu_peak_mib = p.gpu_peak_mib()
        return r

    def close(self) -> None:
        pass


def _serve(conn, model_name: str, impl: str, settings: Settings) -> None:
    """A child process's loop: build the session, then answer "window" / "result"."""
    try:
        session = Session(model_name, impl, settings)
        conn.send(("ok", session.skipped))
        while (command := conn.recv()) == "window":
            conn.send(("ok", session.window()))
        if command == "result":
            conn.send(("ok", session.result()))
    except EOFError:  # the parent went away
        pass
    except Exception as e:  # the parent reports it as a failed row
        conn.send(("error", traceback.format_exception_only(e)[-1].strip()))
    finally:
        conn.close()


class RemoteSession:
    """`Session` in a fresh spawned process, driven over a pipe; same interface."""

    def __init__(self, model_name: str, impl: str, settings: Settings):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, model_name, impl, settings), daemon=True
        )
        self.process.start()
        child.close()
        self.failed = ""
        self.model_name, self.impl = model_name, impl
        self.skipped = self._ask(None)

    def _ask(self, command):
        if self.failed:
            raise RuntimeError(self.failed)
        if command is not None:
            self.conn.send(command)
        try:
            status, value = self.conn.recv()
        except EOFError:
            self.process.join(timeout=10)
            status, value = "error", f"process exited with code {self.process.exitcode}"
        if status == "error":
            self.failed = value
            raise RuntimeError(value)
        return value

    def window(self) -> float:
        return self._ask("window")

    def result(self) -> Result:
        return self._ask("result")

    def close(self) -> None:
        try:
            self.conn.send("stop")
        except OSError:  # the child already exited
            pass
        self.conn.close()
        self.process.join(timeout=60)


def _failed(model_name: str, impl: str, error) -> Result:
    return Result(model_name, impl, skipped=f"failed: {error}")


def run(pairs: list[tuple[str, str]], settings: Settings, isolate: bool = True, log=None):
    """Results for each (model, impl) in `pairs`, in order. Builds and warms each pair in turn,
    then times `settings.windows` rounds, one window per pair each round, the order rotating
    by one pair every round."""
    make = RemoteSession if isolate else Session
    sessions: dict[int, Session | RemoteSession] = {}
    results: dict[int, Result] = {}
    for i, (model_name, impl) in enumerate(pairs):
        if log:
            log(f"{model_name} / {impl}: building and warming up")
        try:
            session = make(model_name, impl, settings)
        except Exception as e:
            if not isolate:
                raise
            results[i] = _failed(model_name, impl, e)
            continue
        if session.skipped:
            results[i] = Result(model_name, impl, skipped=session.skipped)
            session.close()
        else:
            sessions[i] = session
    order = list(sessions)
    for round_ in range(settings.windows):
        if log and order:
            log(f"round {round_ + 1}/{settings.windows}")
        shift = round_ % len(order) if order else 0
        for i in order[shift:] + order[:shift]:
            if i in results:
                continue
            try:
                sessions[i].window()
            except Exception as e:
                if not isolate:
                    raise
                results[i] = _failed(*pairs[i], e)
    for i, session in sessions.items():
        if i not in results:
            try:
                results[i] = session.result()
            except Exception as e:
                if not isolate:
                    raise
                results[i] = _failed(*pairs[i], e)
        session.close()
    return [results[i] for i in range(len(pairs))]


def run_impl(model_name: str, impl: str, settings: Settings) -> Result:
    """One pair in this process, its windows back to back."""
    return run([(model_name, impl)], settings, isolate=False)[0]


def validate_names(models: list[str], impls: list[str]) -> None:
    for name in models:
        models_lib.get(name)
    unknown = [i for i in impls if i not in impls_lib.IMPLS]
    if unknown:
        raise ValueError(f"Received: impls={unknown}. Expected some of {list(impls_lib.IMPLS)}.")
