"""BigGAN cost model inputs: per-step FLOPs counted from the traced train_step graph, and the
measured step time / images/s on this machine, at a few widths; plus FLOPs only (nothing run)
at BigGAN's published ImageNet-128 setting.

python -m benchmarks.biggan_cost [--experiment=imagenet32_biggan] [--widths=4,8,16]
    [--batch=16] [--windows=3] [--steps_per_window=2] [--warmup=2]
    [--published=128:96:2048] [--out=benchmarks/results/NAME.md]

One step = model.d_steps (2) discriminator updates + one generator update (+ EMA), exactly
what `ganzoo.run` trains. FLOPs are `benchmarks.flops.graph_flops` over the live ops of the
step's graph (2 per multiply-add). `--published=R:W:B` counts the step at resolution R, width
W at two small batches and extrapolates linearly to batch B (FLOPs are affine in the batch:
the optimizer updates are the constant term), so no batch-2048 step is ever built.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.biggan_cost", description=__doc__)
    p.add_argument("--experiment", default="imagenet32_biggan")
    p.add_argument("--widths", default="4,8,16")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--windows", type=int, default=3)
    p.add_argument("--steps_per_window", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--published", default="128:96:2048", help="R:W:B, or '' to skip")
    p.add_argument("--out", default="")
    return p.parse_args(argv)


def _config(experiment: str, width: int, batch: int, resolution: int | None = None):
    from ganzoo.experiment import get_experiment

    overrides = {"model.width": width, "train.batch_size": batch}
    if resolution is not None:
        attention = {32: "16", 64: "32", 128: "64"}[resolution]
        latent = 128 if resolution == 32 else 120
        overrides.update(
            {
                "model.resolution": resolution,
                "model.latent_dim": latent,
                "model.attention_resolutions": attention,
            }
        )
    return get_experiment(experiment, overrides)


def step_flops(gan, config) -> int:
    """FLOPs of one train_step on a (images, labels) batch of the config's shape."""
    import tensorflow as tf

    from benchmarks import flops as flops_lib

    m, b = config.model, config.train.batch_size
    specs = (
        tf.TensorSpec([b, m.resolution, m.resolution, m.channels], tf.float32),
        tf.TensorSpec([b], tf.int32),
    )
    graph = tf.function(gan.train_step).get_concrete_function(specs).graph
    count = flops_lib.graph_flops(graph)
    if count.uncounted_calls or count.unknown_shape_ops:
        print(
            f"[biggan_cost] warning: {count.uncounted_calls} nested calls and "
            f"{count.unknown_shape_ops} ops of unknown shape not counted",
            file=sys.stderr,
        )
    return count.total


def params(model) -> int:
    return int(sum(v.numpy().size for v in model.trainable_variables))


def timed_row(experiment: str, width: int, batch: int, settings) -> dict:
    import numpy as np
    import tensorflow as tf

    from benchmarks.timing import time_step
    from ganzoo.train_lib import build_gan

    config = _config(experiment, width, batch)
    gan = build_gan(config)
    flops = step_flops(gan, config)
    m = config.model
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (batch, m.resolution, m.resolution, m.channels)).astype("float32")
    y = rng.integers(0, m.num_classes, batch).astype("int32")
    iterator = iter(tf.data.Dataset.from_tensors((x, y)).repeat())
    gan.make_train_function()
    train_function = gan.train_function
    timing = time_step(
        lambda: train_function(iterator),
        lambda logs: next(iter(logs.values())).numpy(),
        warmup=settings.warmup,
        windows=settings.windows,
        steps_per_window=settings.steps_per_window,
    )
    return dict(
        width=width,
        resolution=m.resolution,
        batch=batch,
        g_params=params(gan.generator),
        d_params=params(gan.discriminator),
        gflop=flops / 1e9,
        ms=timing.median_ms,
        windows=timing.window_ms,
        images_s=timing.images_per_s(batch),
        gflops_s=flops / (timing.median_ms * 1e-3) / 1e9,
        cpu_cores=timing.cpu_cores,
        other_cores=timing.other_cores,
    )


def published_row(experiment: str, spec: str) -> dict:
    """FLOPs of one step at resolution:width:batch, extrapolated from batches 2 and 4."""
    import keras

    from ganzoo.train_lib import build_gan

    resolution, width, batch = (int(v) for v in spec.split(":"))
    counts = {}
    for b in (2, 4):
        config = _config(experiment, width, b, resolution)
        gan = build_gan(config)
        counts[b] = step_flops(gan, config)
        sizes = params(gan.generator), params(gan.discriminator)
        del gan
        keras.backend.clear_session()
    per_example = (counts[4] - counts[2]) / 2
    constant = counts[2] - 2 * per_example
    return dict(
        resolution=resolution,
        width=width,
        batch=batch,
        g_params=sizes[0],
        d_params=sizes[1],
        gflop_b2=counts[2] / 1e9,
        gflop_b4=counts[4] / 1e9,
        gflop=(constant + per_example * batch) / 1e9,
        gflop_per_example=per_example / 1e9,
    )


def main(argv=None) -> str:
    args = parse_args(argv)
    from benchmarks import machine, peak

    load_before = machine.load_average()
    matmul = peak.matmul_peak(1024)
    rows = [
        timed_row(args.experiment, int(w), args.batch, args) for w in args.widths.split(",") if w
    ]
    published = published_row(args.experiment, args.published) if args.published else None
    from benchmarks import report

    command = report.command_line("benchmarks.biggan_cost", argv)
    load = (load_before, machine.load_average())
    lines = report.page_header("BigGAN step cost", machine.describe(), command, load) + [
        f"- float32 matmul rate (1024^3): {matmul.gflops:.1f} GFLOP/s",
        f"- a step: model.d_steps D updates + 1 G update + EMA ({args.experiment})",
        "",
        "| width | res | batch | G params | D params | GFLOP/step | ms/step (median) "
        "| windows ms | images/s | GFLOP/s | own cores | other jobs' cores |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        others = "n/a" if r["other_cores"] is None else f"{r['other_cores']:.1f}"
        lines.append(
            f"| {r['width']} | {r['resolution']} | {r['batch']} | {r['g_params']:,} | "
            f"{r['d_params']:,} | {r['gflop']:.2f} | {r['ms']:.0f} | "
            f"{', '.join(f'{w:.0f}' for w in r['windows'])} | {r['images_s']:.1f} | "
            f"{r['gflops_s']:.1f} | {r['cpu_cores']:.2f} | {others} |"
        )
    if published:
        p = published
        lines += [
            "",
            f"Published setting, FLOPs only: resolution {p['resolution']}, width {p['width']}, "
            f"G {p['g_params']:,} / D {p['d_params']:,} trainable parameters; "
            f"{p['gflop_b2']:.2f} GFLOP at batch 2, {p['gflop_b4']:.2f} at batch 4 -> "
            f"{p['gflop_per_example']:.3f} GFLOP per example; **{p['gflop']:.0f} GFLOP per "
            f"step at batch {p['batch']}** ({p['gflop'] / 1e3:.2f} TFLOP).",
        ]
    text = "\n".join(lines) + "\n"
    return report.publish(text, args.out)


if __name__ == "__main__":
    main()


# docs/scaling.md's tables, from the records `python -m benchmarks.report` makes of this
# benchmark's pages (docs/results/biggan_cost_cpu.jsonl).


def _record(results: list[dict], run: str) -> dict:
    return {r["run"]: r for r in results}[run]


def results_table(results: list[dict], run: str) -> str:
    """The timed widths of one run, as its page gives them."""
    from docs.tables import markdown_table

    header = [
        "width",
        "res",
        "batch",
        "G params",
        "D params",
        "GFLOP/step",
        "ms/step (median)",
        "windows ms",
        "images/s",
        "GFLOP/s",
        "own cores",
        "other jobs' cores",
    ]
    rows = _record(results, run)["rows"]
    return markdown_table(header, [[row[key] for key in header] for row in rows])


def published_counts(results: list[dict], run: str) -> dict:
    """The published setting's counts, read from the line the page prints after its table."""
    import re

    line = next(x for x in _record(results, run)["after"] if x.startswith("Published setting"))
    numbers = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\.?\d*", line)]
    resolution, width, g, d, gflop_b2, _, gflop_b4, _, per_example, per_step, batch = numbers[:11]
    return {
        "resolution": resolution,
        "width": width,
        "g_params": g,
        "d_params": d,
        "gflop_b2": gflop_b2,
        "gflop_b4": gflop_b4,
        "per_example": per_example,
        "gflop": per_step,
        "batch": batch,
    }


def published_table(results: list[dict], run: str) -> str:
    """The published 128x128 setting counted from ganzoo's model (traced at batches 2 and 4)."""
    from docs.tables import markdown_table

    p = published_counts(results, run)
    fixed = p["gflop_b2"] - 2 * p["per_example"]
    rows = [
        [
            "G / D trainable parameters",
            f"{p['g_params']:,.0f} / {p['d_params']:,.0f} "
            f"({(p['g_params'] + p['d_params']) / 1e6:.1f}M; the paper's Table 1 lists 158.3M for "
            "this configuration)",
        ],
        ["FLOPs per step at batch 2 / 4", f"{p['gflop_b2']:.1f} / {p['gflop_b4']:.1f} GFLOP"],
        ["per example (the batch-proportional part)", f"{p['per_example']:.1f} GFLOP"],
        [
            "batch-independent part (orthogonal regulariser on G's kernels, spectral-norm power "
            "iterations, Adam and EMA updates)",
            f"{fixed:.0f} GFLOP",
        ],
        [
            f"**per step at batch {p['batch']:.0f}**",
            f"**{p['gflop'] / 1e6:.3f} PFLOP** ({p['gflop']:,.0f} GFLOP)",
        ],
    ]
    return markdown_table(["quantity", "value"], rows)


# Vendors' published dense peaks (FLOP/s), not measurements.
PUBLISHED_PEAKS = (
    (
        "TPU v3-128: 64 chips x 123 TFLOP/s bf16 (Google's per-chip figure) = 7.9 PFLOP/s",
        64 * 123e12,
    ),
    ("TPU v3-512: 256 chips = 31.5 PFLOP/s", 256 * 123e12),
    ("8 x A100 (312 TFLOP/s bf16 each; `train.precision=mixed_bfloat16`)", 8 * 312e12),
)


def projection_table(results: list[dict], published_run: str, measured_run: str) -> str:
    """Training time of the published setting for 150k and 200k steps: on the vendors' peaks at
    an assumed 30% / 50% utilisation, and on this CPU at its best measured GFLOP/s."""
    from benchmarks.report import number
    from docs.tables import markdown_table

    flop = published_counts(results, published_run)["gflop"] * 1e9
    steps = (150_000, 200_000)
    lines = []
    for name, peak in PUBLISHED_PEAKS:
        cells = [
            " / ".join(f"{flop * n / (peak * u) / 3600:.1f} h" for u in (0.3, 0.5)) for n in steps
        ]
        lines.append([name, "30% / 50%", *cells])
    best_row = max(_record(results, measured_run)["rows"], key=lambda row: number(row["GFLOP/s"]))
    best = number(best_row["GFLOP/s"])
    years = [flop * n / (best * 1e9) / (365.25 * 86400) for n in steps]
    lines.append(
        [
            f"this CPU at its best measured {best:.1f} GFLOP/s "
            f"(width {best_row['width']}, {measured_run} run)",
            "measured",
            f"{years[0]:.0f} years",
            f"{years[1]:.0f} years ({flop / (best * 1e9) / 3600:.1f} h per step)",
        ]
    )
    return markdown_table(["hardware (peak)", "util.", "150k steps", "200k steps"], lines)
