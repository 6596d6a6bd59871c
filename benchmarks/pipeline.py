"""Times ganzoo's tf.data input pipeline alone, per data source, beside the training step it
feeds: is the pipeline ever the bottleneck?

python -m benchmarks.pipeline [--sources=synthetic,idx,folder,tfds] [--examples=4000]
    [--out=benchmarks/results/pipeline_cpu.md]

For each source, the pipeline is `ganzoo.train_lib.build_dataset(config)` of an experiment's
config pointed at that source (exactly what `ganzoo.run` trains on), iterated from Python
with nothing else running: "cold" is the first pass over the data (file reads, decoding,
filling the cache and shuffle buffer; the dataset's build time, such as reading IDX files
into memory, is reported apart), "steady" the passes after it (from the cache when
`data.cache` is on). The training step of the same config (ganzoo's GAN, batch and model as
trained, fed from memory) is timed in the same run; the ratios compare images/s (wall) and
CPU time per image. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@dataclasses.dataclass(frozen=True)
class PipelineSource:
    """One data source: the experiment whose model it feeds and how its data is provided."""

    name: str
    experiment: str
    description: str


SOURCES = {
    s.name: s
    for s in (
        PipelineSource("synthetic", "ring8_gan", "ring8 points drawn in memory (MLP GAN)"),
        PipelineSource(
            "idx", "fashion_mnist_dcgan", "gzip IDX files (Debian's Fashion-MNIST if installed)"
        ),
        PipelineSource(
            "folder", "fashion_mnist_dcgan", "PNG + JPEG files written by the benchmark"
        ),
        PipelineSource(
            "tfds", "fashion_mnist_dcgan", "a TFDS dataset prepared in a local data_dir"
        ),
    )
}


@dataclasses.dataclass
class PipelineResult:
    """Rates per second of wall time, and CPU time (the process's, all threads: tf.data's
    workers run in it) per image, which a shared machine's load distorts far less."""

    source: str
    experiment: str
    data: str  # where the examples came from
    examples: int  # one pass
    batch: int
    build_s: float
    first_batch_s: float
    cold_img_s: float
    steady_img_s: float
    cold_cpu_us: float  # CPU microseconds per image, first pass
    steady_cpu_us: float
    step_img_s: float | None = None
    step_cpu_ms: float | None = None  # per step (one batch)

    @property
    def step_cpu_us(self) -> float | None:
        return None if self.step_cpu_ms is None else 1000.0 * self.step_cpu_ms / self.batch

    def wall_ratio(self, cold: bool = False) -> float | None:
        """Pipeline images/s over training-step images/s."""
        rate = self.cold_img_s if cold else self.steady_img_s
        return rate / self.step_img_s if self.step_img_s else None

    def cpu_ratio(self, cold: bool = False) -> float | None:
        """The step's CPU time per image over the pipeline's: how many such steps one core's
        worth of pipeline keeps fed."""
        per_image = self.cold_cpu_us if cold else self.steady_cpu_us
        return self.step_cpu_us / per_image if self.step_cpu_us and per_image else None


def source_config(source: str, workdir: str, examples: int, args):
    """(config, examples per pass, description of the data) for `source`; writes the data
    under `workdir`. IDX reads Debian's Fashion-MNIST when installed (`args.idx_examples`
    of it, 0 = all 60000), else `examples` images it writes."""
    from benchmarks import pipeline_data
    from ganzoo.data import idx
    from ganzoo.experiment import get_experiment

    spec = SOURCES[source]
    values: dict = {}
    if args.width:
        values["model.width"] = args.width
    if args.batch:
        values["train.batch_size"] = args.batch
    for text in getattr(args, "overrides", None) or ():  # --set, for the timed step
        key, _, value = text.partition("=")
        values[key] = value
    if source == "synthetic":
        values["data.synthetic_size"] = examples
        data = f"{examples} ring8 points"
    elif source == "idx":
        directory = idx.find_idx_dir("fashion_mnist", "train")
        if directory:
            total = len(idx.load_idx_split(directory, "train")[0])
            examples = min(args.idx_examples or total, total)
            values["data.max_examples"] = examples
            data = f"Debian's Fashion-MNIST train ({directory}), {examples} images"
        else:
            directory = pipeline_data.write_idx_dir(os.path.join(workdir, "idx"), examples)
            data = f"{examples} images written as IDX files"
        values.update({"data.source": "idx", "data.dir": directory})
    elif source == "folder":
        directory = pipeline_data.write_image_folder(os.path.join(workdir, "folder"), examples)
        values.update({"data.source": "folder", "data.dir": directory})
        data = f"{examples} 28x28 files, half PNG, half JPEG"
    elif source == "tfds":
        data_dir = pipeline_data.prepare_tfds(os.path.join(workdir, "tfds"), examples)
        values.update(
            {
                "data.source": "tfds",
                "data.name": pipeline_data.TFDS_NAME,
                "data.data_dir": data_dir,
                "data.download": False,
            }
        )
        data = f"{examples} images, TFDS GeneratorBasedBuilder prepared in a temp data_dir"
    else:
        raise ValueError(f"Received: source={source!r}. Expected one of {sorted(SOURCES)}.")
    return get_experiment(spec.experiment, values), examples, data


def _iterate(iterator, batches: int) -> tuple[float, float]:
    """(wall s, CPU s) of `batches` next() calls."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(batches):
        batch = next(iterator)
    # Each batch is computed before next() returns; touch the last to be sure.
    (batch[0] if isinstance(batch, tuple) else batch).numpy()
    return time.perf_counter() - start, time.process_time() - cpu


def time_pipeline(config, examples: int, steady_passes: int = 2) -> dict:
    """build s, first batch s, then images/s and CPU us/image of the first pass (first batch
    included: "cold") and of the `steady_passes` after it. Checks the batches' shape."""
    from ganzoo.data import example_shape
    from ganzoo.train_lib import build_dataset

    batch = config.train.batch_size
    per_pass = max(1, math.ceil(examples / batch))
    start, cpu = time.perf_counter(), time.process_time()
    iterator = iter(build_dataset(config))
    build_s, build_cpu = time.perf_counter() - start, time.process_time() - cpu
    first = next(iterator)
    first_s = time.perf_counter() - start - build_s
    first_cpu = time.process_time() - cpu - build_cpu
    expected = (batch, *example_shape(config))
    if tuple(first.shape) != expected:
        raise ValueError(f"Received: batches of shape {tuple(first.shape)}. Expected {expected}.")
    rest = _iterate(iterator, per_pass - 1) if per_pass > 1 else (0.0, 0.0)
    cold_s, cold_cpu = first_s + rest[0], first_cpu + rest[1]
    steady_s, steady_cpu = _iterate(iterator, per_pass * steady_passes)
    n_cold, n_steady = per_pass * batch, per_pass * steady_passes * batch
    return {
        "build_s": build_s,
        "first_batch_s": first_s,
        "cold_img_s": n_cold / cold_s,
        "steady_img_s": n_steady / steady_s,
        "cold_cpu_us": 1e6 * cold_cpu / n_cold,
        "steady_cpu_us": 1e6 * steady_cpu / n_steady,
    }


def time_train_step(config, windows: int, steps: int) -> tuple[float, float]:
    """(images/s, CPU ms/step) of ganzoo's training step of `config` on an in-memory batch."""
    import numpy as np

    from benchmarks import impls, timing
    from ganzoo.data import example_shape

    shape = (config.train.batch_size, *example_shape(config))
    batch = np.random.default_rng(0).uniform(-1, 1, shape).astype("float32")
    prepared = impls.ganzoo_impl(None, config, batch)
    t = timing.time_step(
        prepared.step, prepared.sync, warmup=3, windows=windows, steps_per_window=steps
    )
    return t.images_per_s(config.train.batch_size), t.median_cpu_ms


def run_source(source: str, examples: int, workdir: str, args) -> PipelineResult:
    config, n, data = source_config(source, workdir, examples, args)
    runs = [time_pipeline(config, n, args.steady_passes) for _ in range(args.repeats)]
    medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    result = PipelineResult(
        source, SOURCES[source].experiment, data, n, config.train.batch_size, **medians
    )
    if args.step_windows:
        result.step_img_s, result.step_cpu_ms = time_train_step(
            config, args.step_windows, args.step_steps
        )
    return result


def _fmt(value, spec, suffix=""):
    return "-" if value is None else format(value, spec) + suffix


COLUMNS = (
    "source",
    "experiment",
    "data",
    "examples/pass",
    "batch",
    "build s",
    "first batch s",
    "cold img/s",
    "steady img/s",
    "cold CPU us/img",
    "steady CPU us/img",
    "step img/s",
    "step CPU us/img",
    "wall: steady / step",
    "wall: cold / step",
    "CPU: steady / step",
    "CPU: cold / step",
)


def markdown(results: list[PipelineResult], *, machine: dict, command: str, load) -> str:
    from benchmarks import report

    lines = report.page_header("ganzoo input-pipeline benchmark", machine, command, load) + [
        "- pipeline: `ganzoo.train_lib.build_dataset(config)` iterated alone; cold = first "
        "pass (reads, decoding, cache and shuffle-buffer fill), steady = the passes after it; "
        "each the median of the repeats; CPU = the process's CPU time (tf.data's threads too)",
        "- step: ganzoo's training step of the same config, fed one in-memory batch "
        "(median window); ratios: pipeline images/s over step images/s (wall), step CPU "
        "per image over pipeline CPU per image (CPU)",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for r in results:
        cells = [
            r.source,
            r.experiment,
            r.data,
            str(r.examples),
            str(r.batch),
            f"{r.build_s:.2f}",
            f"{r.first_batch_s:.2f}",
            f"{r.cold_img_s:,.0f}",
            f"{r.steady_img_s:,.0f}",
            f"{r.cold_cpu_us:.1f}",
            f"{r.steady_cpu_us:.1f}",
            _fmt(r.step_img_s, ",.0f"),
            _fmt(r.step_cpu_us, ".1f"),
            _fmt(r.wall_ratio(), ".1f", "x"),
            _fmt(r.wall_ratio(cold=True), ".1f", "x"),
            _fmt(r.cpu_ratio(), ".1f", "x"),
            _fmt(r.cpu_ratio(cold=True), ".1f", "x"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"Received: {text}. Expected an integer >= 1.")
    return value


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.pipeline", description=__doc__)
    p.add_argument("--sources", default=",".join(SOURCES), help="comma list")
    p.add_argument("--examples", type=_positive, default=4000, help="images written per source")
    p.add_argument("--idx_examples", type=int, default=0, help="of Debian's Fashion-MNIST; 0: all")
    p.add_argument("--batch", type=_positive, default=None, help="default: the experiment's")
    p.add_argument("--width", type=_positive, default=None, help="model.width (quick runs)")
    p.add_argument("--repeats", type=_positive, default=3, help="pipeline builds per source")
    p.add_argument("--steady_passes", type=_positive, default=2)
    p.add_argument("--step_windows", type=int, default=5, help="0: do not time the step")
    p.add_argument("--step_steps", type=_positive, default=10, help="steps per window")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config override for every source, e.g. train.reuse_fake=false (the textbook step)",
    )
    p.add_argument("--out", default="")
    return p.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    from benchmarks import machine

    sources = [s for s in args.sources.split(",") if s]
    bad = [s for s in sources if s not in SOURCES]
    if bad:
        raise ValueError(f"Received: sources={bad}. Expected names from {sorted(SOURCES)}.")
    load_before = machine.load_average()
    with tempfile.TemporaryDirectory(prefix="ganzoo_pipeline_") as workdir:
        results = [run_source(s, args.examples, workdir, args) for s in sources]
    from benchmarks import report

    text = markdown(
        results,
        machine=machine.describe(),
        command=report.command_line("benchmarks.pipeline", argv),
        load=(load_before, machine.load_average()),
    )
    return report.publish(text, args.out)


if __name__ == "__main__":
    main()


def results_table(results: list[dict], runs: str) -> str:
    """docs/performance.md's input-pipeline table: the rows of the named runs (comma list) of a
    results file of this benchmark's pages (`python -m benchmarks.report`). The ratios are the
    page's, which it computed from unrounded rates and CPU times."""
    from docs.tables import markdown_table

    by_run = {record["run"]: record for record in results}
    # The page's columns, less the experiment and pass size (the runs' pages state them).
    header = ["run", *(c for c in COLUMNS if c not in ("experiment", "examples/pass"))]
    lines = [
        [run] + [row[key] for key in header[1:]]
        for run in runs.split(",")
        for row in by_run[run]["rows"]
    ]
    return markdown_table(header, lines)
