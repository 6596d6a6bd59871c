"""optimizer.decay_from: constant learning rates, then a linear decay to 0 at train.steps."""

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo import train_lib
from ganzoo.errors import ConfigError
from ganzoo.training.lr_schedule import LinearTailDecay


def test_the_rate_is_constant_then_falls_linearly_to_zero():
    schedule = LinearTailDecay(1e-3, total=100, decay_from=0.6)
    rates = [float(schedule(step)) for step in (0, 59, 60, 80, 100, 140)]
    np.testing.assert_allclose(rates, [1e-3, 1e-3, 1e-3, 5e-4, 0.0, 0.0], atol=1e-9)
    schedule.scale.assign(0.5)  # a rollback's backoff
    assert float(schedule(80)) == pytest.approx(2.5e-4)


def test_the_schedule_round_trips_through_keras_serialization():
    schedule = LinearTailDecay(2e-4, total=1000, decay_from=0.25)
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert isinstance(again, LinearTailDecay) and again.get_config() == schedule.get_config()


@pytest.mark.parametrize("value", ["-0.1", "1.5"])
def test_decay_from_outside_zero_one_is_refused(tiny_synthetic_config, value):
    with pytest.raises(ConfigError, match=rf"optimizer.decay_from={float(value)}.*\[0, 1\]"):
        ganzoo.validate(
            ganzoo.apply_overrides(tiny_synthetic_config, {"optimizer.decay_from": value})
        )


def test_a_run_ends_at_rate_zero_and_the_last_step_leaves_g_unchanged(
    tiny_synthetic_config, tmp_path
):
    config = ganzoo.validate(
        ganzoo.apply_overrides(tiny_synthetic_config, {"optimizer.decay_from": "0.5"})
    )
    gan = train_lib.train(config, str(tmp_path / "run"))
    assert (
        float(gan.g_optimizer.learning_rate) == 0.0 and float(gan.d_optimizer.learning_rate) == 0.0
    )
    # Resumed one step beyond its end the rate is still 0 (step 20 of 20): nothing moves.
    before = [w.numpy().copy() for w in gan.generator.trainable_weights]
    gan.train_step(next(iter(train_lib.build_dataset(config))))
    for a, b in zip(gan.generator.trainable_weights, before, strict=True):
        np.testing.assert_array_equal(a.numpy(), b)


def test_a_constant_rate_stays_a_float_that_rollbacks_can_lower(tiny_synthetic_config):
    gan = train_lib.build_gan(tiny_synthetic_config)
    assert not isinstance(gan.g_optimizer._learning_rate, LinearTailDecay)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(2e-4)


def test_a_rollback_lowers_a_decaying_rate_and_a_resumed_run_keeps_the_backoff(
    tiny_synthetic_config, tmp_path, monkeypatch, capsys
):
    # Batch 23 (step 24) is poisoned: roll back to step 20, halve the rates, skip, finish.
    from test_train_lib import one_bad_batch_at

    from ganzoo.training import lr_schedule
    from ganzoo.workdir import Workdir

    overrides = {
        "optimizer.decay_from": "0.9",
        "train.steps": "40",
        "train.nonfinite_remedy": "both",
    }
    config = ganzoo.validate(ganzoo.apply_overrides(tiny_synthetic_config, overrides))
    monkeypatch.setattr(train_lib, "build_dataset", lambda c: one_bad_batch_at(23, c))
    train_lib.train(config, str(tmp_path / "run"))
    assert "learning rates now d 0.0001, g 0.0001" in capsys.readouterr().out
    # The schedule's scale is not checkpointed: a resumed run sets it from the rollback count.
    gan, ckpt = train_lib._restored_run(config, Workdir(str(tmp_path / "run")), required=True)
    assert int(ckpt.rollbacks) == 1 and ckpt.step == 40
    assert float(lr_schedule._schedule(gan.g_optimizer).scale.numpy()) == pytest.approx(0.5)
