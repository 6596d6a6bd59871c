"""Input-pipeline throughput of the sharded TFRecord reader on a synthetic sharded set it writes.

python -m benchmarks.pipeline_sharded [--resolutions=32,64] [--images=2048] [--shards=16]
    [--batch=256] [--fmt=jpeg] [--windows=4] [--batches_per_window=12] [--dir=DIR]
    [--out=benchmarks/results/NAME.md]

The set has ImageNet's shape at each resolution (RGB JPEG records, `image/encoded` and
`image/class/label`, labels in [0, 1000)), with smooth random images so that JPEG sizes are
closer to photographs' than noise would be. Measured: images/s of reading + parsing + decoding
+ `to_model_image` + batching, the pipeline `data.source=tfrecord` trains on (no shuffle
buffer, no model), with `deterministic` on and off, their timed windows interleaved.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.pipeline_sharded", description=__doc__)
    p.add_argument("--resolutions", default="32,64")
    p.add_argument("--images", type=int, default=2048, help="records written per resolution")
    p.add_argument("--shards", type=int, default=16)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--fmt", default="jpeg", choices=("jpeg", "png"))
    p.add_argument("--windows", type=int, default=4, help="timed windows per setting")
    p.add_argument("--batches_per_window", type=int, default=12)
    p.add_argument("--dir", default="", help="where to write the shards (default: a temp dir)")
    p.add_argument("--out", default="", help="markdown file to write (stdout always)")
    return p.parse_args(argv)


def smooth_images(n: int, resolution: int, seed: int = 0):
    """uint8 [n, R, R, 3]: bilinear-upsampled 8x8 colour noise plus mild pixel noise."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (n, 8, 8, 3)).astype("float32")
    images = tf.image.resize(coarse, (resolution, resolution), method="bilinear").numpy()
    images += rng.normal(0, 8, images.shape)
    return np.clip(images, 0, 255).astype("uint8")


def write_set(directory: str, resolution: int, n: int, shards: int, fmt: str) -> list[str]:
    import numpy as np

    from ganzoo.data import sharded

    labels = np.random.default_rng(1).integers(0, 1000, n)
    return sharded.write_shards(
        directory, smooth_images(n, resolution), labels, shards, prefix=f"r{resolution}", fmt=fmt
    )


def pipeline(files, resolution: int, batch: int, deterministic: bool):
    import tensorflow as tf

    from ganzoo.data import sharded
    from ganzoo.data.transforms import to_model_image

    ds = sharded.read_sharded(files, deterministic=deterministic, shuffle_files_seed=0)
    ds = ds.map(
        lambda x, y: (to_model_image(x, resolution, 3), y),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=deterministic,
    )
    return ds.repeat().batch(batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def measure(files, resolution, batch, windows, per_window) -> dict[bool, list[float]]:
    """{deterministic: [images/s of each window]}. Each window builds a fresh pipeline, takes
    one warm-up batch, then times `per_window` batches; the two settings alternate, and only
    one pipeline exists at a time (an idle one would fill its buffers meanwhile and compete
    for the CPU)."""
    rates: dict[bool, list[float]] = {True: [], False: []}
    for w in range(windows):
        for d in (True, False) if w % 2 == 0 else (False, True):
            iterator = iter(pipeline(files, resolution, batch, d))
            next(iterator)[0].numpy()
            start = time.perf_counter()
            for _ in range(per_window):
                next(iterator)[0].numpy()
            rates[d].append(batch * per_window / (time.perf_counter() - start))
            del iterator
    return rates


def main(argv=None) -> str:
    args = parse_args(argv)
    from benchmarks import machine

    load_before = machine.load_average()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.dir or tmp
        for resolution in [int(r) for r in args.resolutions.split(",") if r]:
            folder = os.path.join(root, f"r{resolution}")
            files = write_set(folder, resolution, args.images, args.shards, args.fmt)
            mb = sum(os.path.getsize(f) for f in files) / 2**20
            rates = measure(files, resolution, args.batch, args.windows, args.batches_per_window)
            for d in (True, False):
                rows.append((resolution, d, statistics.median(rates[d]), rates[d], mb))
    from benchmarks import report

    command = report.command_line("benchmarks.pipeline_sharded", argv)
    load = (load_before, machine.load_average())
    title = "Sharded TFRecord input pipeline"
    lines = report.page_header(title, machine.describe(), command, load) + [
        f"- set: {args.images} {args.fmt} records per resolution in {args.shards} shards; "
        f"batch {args.batch}; {args.windows} windows of {args.batches_per_window} batches",
        "",
        "| resolution | deterministic | images/s (median) | windows | set size |",
        "|---|---|---|---|---|",
    ]
    for resolution, d, median, window_rates, mb in rows:
        shown = ", ".join(f"{r:.0f}" for r in window_rates)
        lines.append(f"| {resolution}x{resolution} | {d} | {median:.0f} | {shown} | {mb:.1f} MiB |")
    text = "\n".join(lines) + "\n"
    return report.publish(text, args.out)


if __name__ == "__main__":
    main()


def results_table(results: list[dict], run: str) -> str:
    """docs/scaling.md's table for one run of a results file of this benchmark's pages
    (`python -m benchmarks.report`)."""
    from docs.tables import markdown_table

    header = ["resolution", "deterministic", "images/s (median)", "windows", "set size"]
    rows = {r["run"]: r for r in results}[run]["rows"]
    return markdown_table(header, [[row[key] for key in header] for row in rows])
