"""Training-health diagnostics: sample diversity and warnings for collapse and a winning D."""

from __future__ import annotations

import numpy as np


def mean_pairwise_distance(samples: np.ndarray) -> float:
    """Mean Euclidean distance over all pairs i < j of a batch (each example flattened).

    d = 2 / (n (n - 1)) * sum_{i<j} ||x_i - x_j||_2. A generator that collapses to a few outputs
    drives it towards 0; compared with the same number on real data it is scale-free.
    """
    x = np.asarray(samples, np.float64).reshape(len(samples), -1)
    n = len(x)
    if n < 2:
        raise ValueError(f"Received {n} samples. Expected at least 2 for pairwise distances.")
    sq = np.sum(x * x, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * x @ x.T, 0.0)
    upper = np.triu_indices(n, k=1)
    return float(np.sqrt(d2[upper]).mean())


class HealthWatch:
    """Turns per-log-step readings into warnings, each once per episode.

    Diversity collapse: fixed-z samples' mean pairwise distance below `diversity_warn` times the
    real data's, for `patience` log steps in a row. D wins outright: D's accuracy on real and on
    fake both above `d_win_acc` for `patience` log steps in a row (G gets no useful gradient).
    """

    def __init__(
        self, real_diversity: float, diversity_warn: float, d_win_acc: float, patience: int
    ):
        self.real_diversity = real_diversity
        self.diversity_warn = diversity_warn
        self.d_win_acc = d_win_acc
        self.patience = patience
        self.streaks = {"collapse": 0, "d_wins": 0}
        self.fired: list[tuple[int, str]] = []

    def update(
        self, step: int, diversity_ratio: float, d_real_acc: float, d_fake_acc: float
    ) -> list[str]:
        """Feeds one log step's readings; returns the warnings that fire now."""
        conditions = {
            "collapse": diversity_ratio < self.diversity_warn,
            "d_wins": d_real_acc > self.d_win_acc and d_fake_acc > self.d_win_acc,
        }
        messages = {
            "collapse": (
                f"sample diversity is {diversity_ratio:.3f} of the real data's for "
                f"{self.patience} log steps: the generator may be collapsing onto few modes"
            ),
            "d_wins": (
                f"D separates real from fake almost perfectly (accuracy {d_real_acc:.3f} real, "
                f"{d_fake_acc:.3f} fake) for {self.patience} log steps: G may get no useful "
                "gradient (try non_saturating, a penalty, or a lower d_lr)"
            ),
        }
        out = []
        for name, bad in conditions.items():
            self.streaks[name] = self.streaks[name] + 1 if bad else 0
            if self.streaks[name] == self.patience:  # once per episode
                text = f"warning at step {step}: {messages[name]}"
                self.fired.append((step, name))
                out.append(text)
        return out
