"""Times ganzoo's train step under config overrides (performance options) beside the keras-io
reference, in one process, windows interleaved round-robin so other jobs' load falls on all.

python -m benchmarks.step_options [--batch=64] [--windows=7] [--steps=15] [--warmup=5]
    [--variant NAME=key=value,key=value ...] [--no_ref] [--json=docs/results/NAME.json]

Each variant is `mnist_dcgan` with those `--set`-style overrides, built by `build_gan` exactly as
`ganzoo.run` builds it; `keras_ref` is `benchmarks/keras_reference.py` on the same networks.
Prints the median ms/step of each, its min-max, the median CPU time per step (all threads of
this process: the work, less sensitive to other jobs than wall time, though spinning threads
count), and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DEFAULT_VARIANTS = ("default=",)


def _parse(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.step_options")
    p.add_argument("--experiment", default="mnist_dcgan")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--windows", type=int, default=7)
    p.add_argument("--steps", type=int, default=15, help="steps per window")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--variant", action="append", default=None, help="NAME=key=value,key=value")
    p.add_argument("--no_ref", action="store_true", help="leave out the keras-io reference")
    p.add_argument("--json", default="", help="results file to write: every window of each")
    return p.parse_args(argv)


def _overrides(text: str) -> dict:
    out = {}
    for item in filter(None, text.split(",")):
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def _step_fn(gan, images):
    import tensorflow as tf

    iterator = iter(tf.data.Dataset.from_tensors(tf.constant(images)).repeat())
    gan.make_train_function()
    fn = gan.train_function
    return lambda: fn(iterator)


def _sync(logs):
    next(iter(logs.values())).numpy()


def main(argv=None) -> dict:
    args = _parse(argv)
    import keras
    import numpy as np

    from benchmarks import keras_reference
    from ganzoo.experiment import get_experiment
    from ganzoo.models import dcgan
    from ganzoo.train_lib import build_gan
    from ganzoo.training.precision import reset_policy

    load_before = os.getloadavg()
    steps = {}
    for spec in args.variant or DEFAULT_VARIANTS:
        name, _, text = spec.partition("=")
        config = get_experiment(
            args.experiment, {"train.batch_size": str(args.batch), **_overrides(text)}
        )
        gan = build_gan(config)
        reset_policy()
        m = config.model
        images = np.random.default_rng(0).uniform(
            -1, 1, (args.batch, m.resolution, m.resolution, m.channels)
        )
        steps[name] = _step_fn(gan, images.astype("float32"))
    if not args.no_ref:
        config = get_experiment(args.experiment, {"train.batch_size": str(args.batch)})
        m = config.model
        keras.utils.set_random_seed(0)
        g = dcgan.generator(m.latent_dim, m.resolution, m.channels, m.width)
        d = dcgan.discriminator(m.resolution, m.channels, m.width)
        ref = keras_reference.build(g, d, m.latent_dim, config.optimizer, False)
        images = np.random.default_rng(0).uniform(
            -1, 1, (args.batch, m.resolution, m.resolution, m.channels)
        )
        steps["keras_ref"] = _step_fn(ref, images.astype("float32"))
    for step in steps.values():
        out = None
        for _ in range(args.warmup):
            out = step()
        _sync(out)
    times = {name: [] for name in steps}
    cpu = {name: [] for name in steps}
    names = list(steps)
    for w in range(args.windows):
        shift = w % len(names)
        for name in names[shift:] + names[:shift]:
            start, start_cpu = time.perf_counter(), time.process_time()
            out = None
            for _ in range(args.steps):
                out = steps[name]()
            _sync(out)
            times[name].append((time.perf_counter() - start) * 1000 / args.steps)
            cpu[name].append((time.process_time() - start_cpu) * 1000 / args.steps)
    load_after = os.getloadavg()
    print(f"load average before {load_before}, after {load_after}")
    print(f"batch {args.batch}; median of {args.windows} windows of {args.steps} steps")
    print("| variant | ms/step (median) | min-max | img/s | CPU ms/step (median) |")
    print("|---|---|---|---|---|")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(
            f"| {name} | {med:.1f} | {min(ts):.1f}-{max(ts):.1f} | {args.batch * 1000 / med:.0f} "
            f"| {statistics.median(cpu[name]):.1f} |"
        )
    if args.json:
        _write_json(args, argv, times, cpu, (load_before, load_after))
    return times


def _write_json(args, argv, times: dict, cpu: dict, load) -> None:
    """The run as a results file: command, date, machine, load, and every window's ms and CPU
    ms per step of each variant (`variants_table` renders it)."""
    import json

    from benchmarks import machine, report

    variants = dict(spec.partition("=")[::2] for spec in args.variant or DEFAULT_VARIANTS)
    record = {
        "command": report.command_line("benchmarks.step_options", argv),
        "machine": machine.describe(),
        "load_before": "{:.2f} {:.2f} {:.2f}".format(*load[0]),
        "load_after": "{:.2f} {:.2f} {:.2f}".format(*load[1]),
        "experiment": args.experiment,
        "batch": args.batch,
        "steps_per_window": args.steps,
        "warmup": args.warmup,
        "variants": {
            name: {
                "overrides": variants.get(name, "(benchmarks/keras_reference.py)"),
                "window_ms": times[name],
                "window_cpu_ms": cpu[name],
            }
            for name in times
        },
    }
    os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(record, f, indent=1)


def variants_table(results: dict, baseline: str = "keras_ref") -> str:
    """One row per variant: median ms/step of its windows, their min-max, img/s, median CPU ms
    per step, and the baseline's median over the variant's (its speed-up)."""
    from docs.tables import markdown_table

    base = statistics.median(results["variants"][baseline]["window_ms"])
    lines = []
    for name, v in results["variants"].items():
        med = statistics.median(v["window_ms"])
        sets = v["overrides"] or "(the experiment's defaults)"
        lines.append(
            [
                name,
                f"`{sets}`" if "=" in sets else sets,
                f"{med:.1f}",
                f"{min(v['window_ms']):.1f}-{max(v['window_ms']):.1f}",
                f"{results['batch'] * 1000 / med:.0f}",
                f"{statistics.median(v['window_cpu_ms']):.1f}",
                f"{base / med:.2f}x",
            ]
        )
    header = [
        "variant",
        "--set",
        "ms/step (median)",
        "min-max",
        "img/s",
        "CPU ms/step (median)",
        f"speed vs {baseline}",
    ]
    return markdown_table(header, lines)


if __name__ == "__main__":
    main()
