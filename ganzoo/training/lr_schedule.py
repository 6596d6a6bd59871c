"""A constant learning rate that decays linearly to zero over the last part of a run."""

from __future__ import annotations

import keras
from keras import ops

from ganzoo.errors import ConfigError


@keras.saving.register_keras_serializable(package="ganzoo")
class LinearTailDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`lr` for the first `decay_from * total` updates, then linearly down to 0 at `total`.

    `scale` multiplies the rate (the non-finite rollback's backoff sets it); it is not part of
    the config: train_lib sets it from the checkpoint's rollback count.
    """

    def __init__(self, lr: float, total: int, decay_from: float):
        if not 0 <= decay_from <= 1 or total < 1:
            raise ConfigError(
                f"Received: decay_from={decay_from}, total={total}. Expected decay_from in "
                "[0, 1] (the fraction of the run before the decay) and total >= 1 updates."
            )
        self.lr = float(lr)
        self.total = int(total)
        self.decay_from = float(decay_from)
        self.scale = keras.Variable(1.0, trainable=False, name="lr_scale")

    def __call__(self, step):
        start = self.decay_from * self.total
        length = max(self.total - start, 1.0)
        left = ops.clip((self.total - ops.cast(step, "float32")) / length, 0.0, 1.0)
        return self.lr * self.scale * left

    def get_config(self):
        return {"lr": self.lr, "total": self.total, "decay_from": self.decay_from}


def learning_rate(lr: float, total_updates: int, decay_from: float):
    """Adam's learning rate: `lr` itself when decay_from >= 1 (no decay), else LinearTailDecay."""
    if decay_from >= 1:
        return lr
    return LinearTailDecay(lr, total_updates, decay_from)


def _schedule(optimizer) -> LinearTailDecay | None:
    inner = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
    lr = getattr(inner, "_learning_rate", None)
    return lr if isinstance(lr, LinearTailDecay) else None


def set_schedule_scale(optimizer, scale: float) -> None:
    """Sets a LinearTailDecay's scale (not checkpointed: set from the rollback count)."""
    schedule = _schedule(optimizer)
    if schedule is not None:
        schedule.scale.assign(scale)


def scale_learning_rate(optimizer, factor: float, absolute: float) -> None:
    """Multiplies a constant learning rate by `factor` (it is checkpointed and carries earlier
    backoffs); sets a LinearTailDecay's scale to `absolute`."""
    if _schedule(optimizer) is not None:
        set_schedule_scale(optimizer, absolute)
    else:
        optimizer.learning_rate.assign(float(optimizer.learning_rate.numpy()) * factor)
