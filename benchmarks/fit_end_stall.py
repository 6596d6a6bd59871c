"""How long Keras's `fit` takes to return after its last step, with tf.data's autotuning model
on (TensorFlow's default) and off (`ganzoo.data.fit_options.without_autotune_model`, what
ganzoo's training passes to `fit`): the measurement behind that function (docs/performance.md).

python -m benchmarks.fit_end_stall [--seconds=17,18] [--out=results.jsonl]

Each case fits a one-layer model on an in-memory dataset (shuffle, repeat, batch, AUTOTUNE
prefetch) for about `seconds` of steps (a callback sleeps 10 ms per step, so the machine's
load barely matters), and reports the time from the end of the last step to `fit`'s return.
With the model on, `fit` often (not always) returns only when the model's thread next wakes,
at 10 ms * (2^k - 1) after the iterator's start (20.5 s, 41 s, 82 s, then every 60 s): fits
whose steps ended at 16.7 s returned at 20.7 s, while one ending at 15.5 s returned at once.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

STEP_SLEEP_S = 0.01


def measure(autotune_model: bool, seconds: float) -> dict:
    import keras
    import numpy as np
    import tensorflow as tf

    from ganzoo.data.fit_options import without_autotune_model

    x = np.random.default_rng(0).normal(size=(100_000, 2)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices((x, x)).shuffle(10_000, seed=0).repeat()
    ds = ds.batch(256, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
    if not autotune_model:
        ds = without_autotune_model(ds)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    model.compile("adam", "mse")
    last = {}

    class Sleep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(STEP_SLEEP_S)
            last["t"] = time.perf_counter()

    steps = max(1, round(seconds / (STEP_SLEEP_S + 0.0025)))
    started = time.perf_counter()
    model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[Sleep()])
    ended = time.perf_counter()
    return dict(
        autotune_model=autotune_model,
        steps=steps,
        last_step_end_s=round(last["t"] - started, 2),
        fit_s=round(ended - started, 2),
        wait_after_last_step_s=round(ended - last["t"], 2),
    )


def table(records: list[dict]) -> str:
    """docs/performance.md's table: one row per record of the results file."""
    lines = [
        "| autotune model | last step ends | `fit` returns | wait | load |",
        "|---|---|---|---|---|",
    ]
    for r in records:
        lines.append(
            f"| {'on' if r['autotune_model'] else 'off'} | {r['last_step_end_s']:.2f} s | "
            f"{r['fit_s']:.2f} s | {r['wait_after_last_step_s']:.2f} s | {r['load']} |"
        )
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", default="17,18", help="comma-separated fit lengths")
    parser.add_argument("--out", default="", help="append the records to this JSONL file")
    args = parser.parse_args(argv)
    for seconds in (float(s) for s in args.seconds.split(",")):
        for autotune_model in (True, False):
            record = measure(autotune_model, seconds)
            record.update(
                load=round(os.getloadavg()[0], 2),
                date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            )
            print(json.dumps(record), flush=True)
            if args.out:
                with open(args.out, "a") as f:
                    f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
