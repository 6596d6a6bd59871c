"""Inception Score from classifier logits, split by split, computed by TF-GAN."""

from __future__ import annotations

import numpy as np

from ganzoo.metrics.tfgan_compat import load_tfgan_eval


def inception_score(logits: np.ndarray, splits: int = 10) -> tuple[float, float]:
    """Mean and standard deviation over `splits` equal parts of the Inception Score.

    Per split: IS = exp(E_x KL(p(y|x) || p(y))), with p(y|x) = softmax(logits(x)) and
    p(y) = E_x p(y|x) the split's marginal (TF-GAN's `classifier_score_from_logits`, float64).
    1 <= IS <= number of classes; the std is the population std over splits.
    """
    logits = np.asarray(logits, np.float64)
    if logits.ndim != 2:
        raise ValueError(
            f"Received: logits with shape {logits.shape}. Expected [num_samples, num_classes]."
        )
    if not 1 <= splits <= logits.shape[0]:
        raise ValueError(
            f"Received: splits={splits} for {logits.shape[0]} samples. "
            "Expected 1 <= splits <= num_samples."
        )
    import tensorflow as tf

    score_fn = load_tfgan_eval().classifier_score_from_logits
    scores = [float(score_fn(tf.constant(part))) for part in np.array_split(logits, splits)]
    return float(np.mean(scores)), float(np.std(scores))
