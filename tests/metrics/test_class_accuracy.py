"""Conditional accuracy against hand computations, and the labels evaluation asks for."""

import re

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import eval_lib
from ganzoo.errors import EvalError
from ganzoo.metrics.class_accuracy import class_accuracy, requested_labels


def test_hand_computed_accuracy_overall_and_per_class():
    logits = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0], [5.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    labels = np.array([0, 1, 1, 2])  # hits: yes, yes, no (predicted 0), yes
    out = class_accuracy(logits, labels)
    assert out["class_accuracy"] == pytest.approx(3 / 4)
    assert out["class_accuracy_per_class"] == {0: 1.0, 1: 0.5, 2: 1.0}


def test_label_blind_predictions_score_one_over_k():
    k, n = 10, 1000
    logits = np.eye(k)[np.zeros(n, int)]  # always predicts class 0
    out = class_accuracy(logits, np.arange(n) % k)
    assert out["class_accuracy"] == pytest.approx(1 / k)


@pytest.mark.parametrize(
    "logits, labels, message",
    [
        (np.zeros((3, 4)), [0, 1], "Expected logits [N, K] and N >= 1 labels"),
        (np.zeros((2, 4)), [0, 4], "Expected class indices in [0, 4)"),
        (np.zeros((2, 4)), [-1, 0], "labels in [-1, 0]"),
    ],
)
def test_bad_inputs(logits, labels, message):
    with pytest.raises(EvalError, match=re.escape(message)):
        class_accuracy(logits, labels)


def test_requested_labels_are_the_ones_the_generator_gets():
    seen = []

    def generator(inputs, training=False):
        z, labels = inputs
        return tf.cast(labels, tf.float32)[:, None] + 0.0 * z[:, :1]

    forward = eval_lib.generator_function(generator, latent_dim=3, num_classes=4)
    for batch in eval_lib.generated_batches(forward, 3, num=23, batch_size=10, seed=0):
        seen.append(batch[:, 0])
    np.testing.assert_array_equal(np.concatenate(seen), requested_labels(23, 10, 4))
    assert len(requested_labels(23, 10, 4)) == 23
