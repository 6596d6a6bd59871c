"""Conditional accuracy: how often a classifier assigns generated samples the class they were
asked for (the ACGAN paper's check that a cGAN obeys its labels)."""

from __future__ import annotations

import numpy as np

from ganzoo.errors import EvalError


def class_accuracy(logits, labels) -> dict:
    """Accuracy of argmax(logits) against the requested `labels`, overall and per class.

        accuracy = (1 / N) sum_i [argmax_k logits_ik == y_i]
        per_class[k] = mean over {i : y_i = k} of the same indicator

    A generator that ignores its labels scores about the share of its most common predicted
    class per label (1 / K for a balanced, label-blind one); real test images score the
    classifier's test accuracy.
    """
    logits, labels = np.asarray(logits), np.asarray(labels).astype(np.int64).reshape(-1)
    if logits.ndim != 2 or len(logits) != len(labels) or not len(labels):
        raise EvalError(
            f"Received: logits of shape {logits.shape} and {len(labels)} label(s). Expected "
            "logits [N, K] and N >= 1 labels."
        )
    if labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise EvalError(
            f"Received: labels in [{labels.min()}, {labels.max()}]. Expected class indices "
            f"in [0, {logits.shape[1]})."
        )
    hit = np.argmax(logits, axis=1) == labels
    per_class = {int(k): float(hit[labels == k].mean()) for k in np.unique(labels)}
    return {"class_accuracy": float(hit.mean()), "class_accuracy_per_class": per_class}


def requested_labels(num: int, batch_size: int, num_classes: int) -> np.ndarray:
    """The labels `eval_lib.generator_function` gives a conditional generator: i mod K within
    each batch of `batch_size` (the last one shorter), for `num` samples in all."""
    sizes = [min(batch_size, num - start) for start in range(0, num, batch_size)]
    return np.concatenate([np.arange(size) % num_classes for size in sizes])
