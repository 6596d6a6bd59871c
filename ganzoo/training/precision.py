"""Mixed precision (`train.precision`): the Keras dtype policy models are built under, and the
loss-scaled optimizers float16 needs. D's logits, G's images and every loss stay float32."""

from __future__ import annotations

import contextlib

import keras

from ganzoo.config import PRECISIONS
from ganzoo.errors import ConfigError


def check(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ConfigError(
            f"Received: train.precision={precision!r}. Expected one of {', '.join(PRECISIONS)}."
        )
    return precision


def set_policy(precision: str) -> None:
    """Sets Keras's global dtype policy: layers built afterwards compute in float16/bfloat16
    and keep float32 variables; layers built with `dtype="float32"` (D's logits, G's output
    activation) stay float32."""
    keras.mixed_precision.set_global_policy(check(precision))


def reset_policy() -> None:
    keras.mixed_precision.set_global_policy("float32")


@contextlib.contextmanager
def policy_scope(precision: str):
    """Builds under `precision`, then restores the previous global policy, so building one
    mixed-precision run does not leak its policy into models built later in the process."""
    previous = keras.mixed_precision.global_policy()
    set_policy(precision)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def wrap_optimizer(optimizer, precision: str):
    """float16 needs loss scaling (small gradients underflow); bfloat16 has float32's exponent
    range and does not."""
    if check(precision) == "mixed_float16":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer
