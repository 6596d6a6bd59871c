"""Class coverage of an unconditional generator: the domain classifier's histogram of its
samples' classes against the real data's (Stacked MNIST's mode count, without the stacking)."""

from __future__ import annotations

import numpy as np

from ganzoo.metrics.modes import KL_EPSILON

MIN_SHARE = 0.2  # a class is covered with >= 20% of a uniform share, as PacGAN's mode count


def class_histogram(logits, num_classes: int | None = None) -> np.ndarray:
    """h_k = #{i : argmax_j logits_ij = k} / N, the share of rows predicted as class k."""
    logits = np.asarray(logits)
    if logits.ndim != 2 or not len(logits):
        raise ValueError(f"Received: logits of shape {logits.shape}. Expected [N >= 1, K].")
    num_classes = num_classes or logits.shape[1]
    counts = np.bincount(np.argmax(logits, axis=1), minlength=num_classes)
    return counts / len(logits)


def class_coverage(sample_logits, real_logits, min_share: float = MIN_SHARE) -> dict:
    """Classes covered by the samples and KL divergence of their class histogram from the real
    one, with h the samples' histogram and r the real data's (`class_histogram`), K classes:

        classes_covered = #{k : h_k >= min_share / K}   (at least min_share of a uniform share:
                          2,000 of 10,000 samples / 10 classes x 0.2 = 200 samples)
        class_kl        = KL(h || r) = sum_k h_k log((h_k + eps) / (r_k + eps)), eps = 1e-12

    class_kl is 0 when the samples use the classes as the real data does, and log(1 / r_k)
    (log 10 for balanced classes) when every sample is of class k; eps lets empty classes of
    h add 0 and keeps the sum finite where r_k = 0.
    """
    sample_logits, real_logits = np.asarray(sample_logits), np.asarray(real_logits)
    if sample_logits.ndim != 2 or real_logits.ndim != 2:
        raise ValueError(
            f"Received: logits of shapes {sample_logits.shape} and {real_logits.shape}. "
            "Expected [N, K] and [M, K]."
        )
    num_classes = sample_logits.shape[1]
    if real_logits.shape[1] != num_classes:
        raise ValueError(
            f"Received: {num_classes} sample classes and {real_logits.shape[1]} real ones. "
            "Expected the same classifier's logits on both."
        )
    h = class_histogram(sample_logits, num_classes)
    r = class_histogram(real_logits, num_classes)
    # The tolerance keeps a share of exactly min_share / K (200 of 10,000) from rounding out.
    covered = h * num_classes >= min_share * (1 - 1e-9)
    kl = float(np.sum(h * np.log((h + KL_EPSILON) / (r + KL_EPSILON))))
    return {
        "classes_covered": int(covered.sum()),
        "num_classes": int(num_classes),
        "class_histogram": [float(v) for v in h],
        "class_kl": kl,
    }
