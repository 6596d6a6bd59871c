"""Options for the datasets that Keras's `fit` reads."""

import tensorflow as tf


def without_autotune_model(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """`dataset` without tf.data's autotuning model (`options.autotune.enabled=False`).

    With the model on, deleting the iterator that Keras's `fit` made often waits for the
    model's thread to wake, which it does at 10 ms * (2^k - 1) after the iterator's start
    (..., 20.5 s, 41 s, 82 s, then every 60 s): 2 of 10 grid25_gan runs took 82.8-82.9 s
    instead of 56-60 s. `python -m benchmarks.fit_end_stall` measures the wait in plain Keras
    (docs/performance.md). Without the model, AUTOTUNE map parallelism is the number of cores
    and AUTOTUNE prefetch buffers still grow when the consumer waits.
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)
