"""Where a train step's time goes: TF profiler trace of a few steps of ganzoo's step (under
config overrides) and of the keras-io reference, summed per op type from the trace's XPlane.

python -m benchmarks.profile_step [--steps=10] [--variant NAME=key=value,...] [--top=15]

Times are the summed durations of TF op executions on the executor threads (ops that overlap
on the 2 cores each count in full), so the total exceeds wall time; compare shares, not sums.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def op_times(logdir: str) -> collections.Counter:
    """{op type: total ms} from the newest .xplane.pb under `logdir`."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    path = max(
        glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True), key=os.path.getmtime
    )
    space = xplane_pb2.XSpace()
    with open(path, "rb") as f:
        space.ParseFromString(f.read())
    totals = collections.Counter()
    for plane in space.planes:
        if not plane.name.startswith("/host:CPU"):
            continue
        names = {k: m.name for k, m in plane.event_metadata.items()}
        for line in plane.lines:
            for event in line.events:
                name = names.get(event.metadata_id, "")
                # TF op events are named "op_name:OpType"
                if ":" not in name or name.startswith(("Iterator", "__inference")):
                    continue
                op_type = name.rsplit(":", 1)[1]
                if not op_type or not (op_type[0].isupper() or op_type[0] == "_"):
                    continue
                if " " in op_type or op_type in ("Process", "Run"):
                    continue
                totals[op_type] += event.duration_ps / 1e9
    return totals


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_step")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--variant", action="append", default=None)
    args = p.parse_args(argv)
    import keras
    import numpy as np
    import tensorflow as tf

    from benchmarks import keras_reference
    from benchmarks.step_options import _overrides, _step_fn, _sync
    from ganzoo.experiment import get_experiment
    from ganzoo.models import dcgan
    from ganzoo.train_lib import build_gan

    images = np.random.default_rng(0).uniform(-1, 1, (args.batch, 28, 28, 1)).astype("float32")
    steps = {}
    for spec in args.variant or ["default="]:
        name, _, text = spec.partition("=")
        config = get_experiment(
            "mnist_dcgan", {"train.batch_size": str(args.batch), **_overrides(text)}
        )
        steps[name] = _step_fn(build_gan(config), images)
    config = get_experiment("mnist_dcgan")
    m = config.model
    keras.utils.set_random_seed(0)
    g = dcgan.generator(m.latent_dim, m.resolution, m.channels, m.width)
    d = dcgan.discriminator(m.resolution, m.channels, m.width)
    steps["keras_ref"] = _step_fn(
        keras_reference.build(g, d, m.latent_dim, config.optimizer, False), images
    )
    results = {}
    for name, step in steps.items():
        for _ in range(3):
            out = step()
        _sync(out)
        logdir = tempfile.mkdtemp(prefix=f"profile_{name}_")
        tf.profiler.experimental.start(logdir)
        for _ in range(args.steps):
            out = step()
        _sync(out)
        tf.profiler.experimental.stop()
        results[name] = op_times(logdir)
    for name, totals in results.items():
        total = sum(totals.values())
        print(f"\n{name}: {total / args.steps:.1f} ms of op time per step")
        print("| op type | ms/step | share |")
        print("|---|---|---|")
        for op, ms in totals.most_common(args.top):
            print(f"| {op} | {ms / args.steps:.2f} | {100 * ms / total:.1f}% |")
    return results


if __name__ == "__main__":
    main()
