"""Per-element vs per-epoch shuffling of an in-memory array source (ring8 points), CPU time per
point: the measurement behind docs/performance.md's proposed remedy for the synthetic source.

python -m benchmarks.array_shuffle [--points=100000] [--batch=256] [--batches=400] [--repeats=3]

"current" is the chain `ganzoo.data.pipeline` builds for an array source (from_tensor_slices,
10,000-element shuffle buffer, repeat, batch, prefetch); "index_gather" shuffles indices and
gathers each batch; "epoch_shuffle" permutes the whole array once per epoch in the graph
(`tf.random.shuffle`) and yields it as batches.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pipelines(points, batch: int, buffer: int = 10_000) -> dict:
    import tensorflow as tf

    x = tf.constant(points)
    n = (len(points) // batch) * batch

    def epoch(a):  # one full permutation, cut into whole batches
        return tf.reshape(tf.random.shuffle(a, seed=0)[:n], (-1, batch, a.shape[-1]))

    def tail(ds):
        return ds.prefetch(tf.data.AUTOTUNE)

    slices = tf.data.Dataset.from_tensor_slices(x).shuffle(buffer, seed=0).repeat()
    indices = tf.data.Dataset.range(len(points)).shuffle(buffer, seed=0).repeat()
    return {
        "current": tail(slices.batch(batch, drop_remainder=True)),
        "index_gather": tail(
            indices.batch(batch, drop_remainder=True).map(lambda i: tf.gather(x, i))
        ),
        "epoch_shuffle": tail(tf.data.Dataset.from_tensors(x).repeat().map(epoch).unbatch()),
    }


def measure(ds, batches: int) -> tuple[float, float]:
    """(points/s, CPU us/point) over `batches` batches after the first."""
    it = iter(ds)
    next(it)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(batches):
        out = next(it)
    out.numpy()
    n = batches * int(out.shape[0])
    return n / (time.perf_counter() - start), 1e6 * (time.process_time() - cpu) / n


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m benchmarks.array_shuffle", description=__doc__)
    p.add_argument("--points", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--batches", type=int, default=400)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    from ganzoo.data import synthetic

    points, _ = synthetic.sample_synthetic_with_modes("ring8", args.points, 0)
    results = {}
    for name, ds in pipelines(points.astype("float32"), args.batch).items():
        runs = [measure(ds, args.batches) for _ in range(args.repeats)]
        results[name] = runs
        rates = ", ".join(f"{r:,.0f}" for r, _ in runs)
        cpu = ", ".join(f"{c:.2f}" for _, c in runs)
        print(f"{name}: points/s {rates}; CPU us/point {cpu}")
    return results


if __name__ == "__main__":
    main()
