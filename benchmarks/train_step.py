"""Times the GAN training step of ganzoo and of reference implementations, in one run.

python -m benchmarks.train_step [--models=dcgan28] [--batch=64] [--windows=5]
    [--steps_per_window=20] [--warmup=10] [--impls=ganzoo,keras_ref,keras_ref_xla,torch]
    [--set train.reuse_fake=false ...] [--out=benchmarks/results/NAME.md]
    [--json=docs/results/NAME.jsonl --run=LABEL]

See docs/performance.md for what it measures and how.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DEFAULT_IMPLS = "ganzoo,keras_ref,keras_ref_xla,torch"


def _bool(text: str) -> bool:
    low = text.lower()
    if low not in ("true", "false", "1", "0"):
        raise argparse.ArgumentTypeError(f"Received: {text!r}. Expected true or false.")
    return low in ("true", "1")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"Received: {text}. Expected an integer >= 1.")
    return value


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"Received: --set {text!r}. Expected KEY=VALUE.")
    return key, value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.train_step", description=__doc__)
    p.add_argument("--models", default="dcgan28", help="comma list from benchmarks/models.py")
    p.add_argument("--impls", default=DEFAULT_IMPLS, help="comma list from benchmarks/impls.py")
    p.add_argument("--batch", type=_positive, default=None, help="default: the model table's (64)")
    p.add_argument(
        "--width", type=_positive, default=None, help="override model.width (quick runs)"
    )
    p.add_argument("--windows", type=_positive, default=5)
    p.add_argument("--steps_per_window", type=_positive, default=20)
    p.add_argument("--warmup", type=_positive, default=10)
    p.add_argument("--torch_threads", type=int, default=0, help="0: torch's default")
    p.add_argument("--peak_n", type=_positive, default=2048, help="matmul size for the peak")
    p.add_argument(
        "--set",
        dest="overrides",
        type=_key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config override, as ganzoo.run's --set (ganzoo's step; the references take only "
        "the networks from the config), e.g. train.reuse_fake=false for the textbook step",
    )
    p.add_argument("--out", default="", help="markdown file to write (stdout always)")
    p.add_argument("--json", default="", help="results file (.jsonl) to append the run's record to")
    p.add_argument("--run", default="", help="the record's label in --json (default: the date)")
    p.add_argument("--isolate", type=_bool, default=True, help="one process per (model, impl)")
    return p.parse_args(argv)


def _log(message: str) -> None:
    print(f"[benchmarks] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> str:
    args = parse_args(argv)
    from benchmarks import machine, peak, report, runner

    models = [m for m in args.models.split(",") if m]
    impls = [i for i in args.impls.split(",") if i]
    runner.validate_names(models, impls)
    settings = runner.Settings(
        batch=args.batch,
        windows=args.windows,
        steps_per_window=args.steps_per_window,
        warmup=args.warmup,
        overrides={
            **({"model.width": args.width} if args.width else {}),
            **dict(args.overrides),
        },
        torch_threads=args.torch_threads,
    )
    load_before = machine.load_average()
    peaks = [peak.matmul_peak(args.peak_n)]
    pairs = [(model, impl) for model in models for impl in impls]
    results = runner.run(pairs, settings, isolate=args.isolate, log=_log)
    peaks.append(peak.matmul_peak(args.peak_n))
    text = report.markdown(
        results,
        machine=machine.describe(),
        command=report.command_line("benchmarks.train_step", argv),
        settings=settings,
        peaks=peaks,
        load=(load_before, machine.load_average()),
    )
    if args.json:
        report.append_record(text, results, args.json, args.run, args.out)
    return report.publish(text, args.out)


if __name__ == "__main__":
    main()
