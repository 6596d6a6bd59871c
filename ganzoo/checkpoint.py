"""Checkpoints of a GAN run: both networks (and the EMA generator), both optimizers, the step,
the RNG state."""

from __future__ import annotations

import os

import tensorflow as tf

from ganzoo.errors import CheckpointError


class RunCheckpoint:
    """A tf.train.CheckpointManager over everything a run needs to continue.

    The step is the generator optimizer's iteration count (one G update per train step), so it
    cannot drift from the optimizer state it describes.
    """

    def __init__(self, gan, directory: str, max_to_keep: int = 3):
        self.gan = gan
        self.directory = directory
        tracked = dict(
            generator=gan.generator,
            discriminator=gan.discriminator,
            d_optimizer=gan.d_optimizer,
            g_optimizer=gan.g_optimizer,
            seed_state=gan.seed_generator.state,
        )
        if getattr(gan, "ema_generator", None) is not None:
            tracked["ema_generator"] = gan.ema_generator
        # Batches skipped beyond the step after skip_data rollbacks: the input pipeline (seeded,
        # deterministic) is at batch step + data_skip, and a resumed run skips that many.
        self.data_skip = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_skip")
        self.rollbacks = tf.Variable(0, dtype=tf.int64, trainable=False, name="rollbacks")
        tracked.update(data_skip=self.data_skip, rollbacks=self.rollbacks)
        self.checkpoint = tf.train.Checkpoint(**tracked)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, directory, max_to_keep=max_to_keep, checkpoint_name="ckpt"
        )

    @property
    def step(self) -> int:
        return int(self.gan.g_optimizer.iterations.numpy())

    @property
    def latest(self) -> str | None:
        return self.manager.latest_checkpoint

    @property
    def data_position(self) -> int:
        """The index of the next batch the run takes from its input pipeline."""
        return self.step + int(self.data_skip.numpy())

    def save(self) -> str:
        """Writes a checkpoint; atomic: TF writes the files, then points `checkpoint` at them.

        A disk that fills up mid-write leaves the previous checkpoints as they were.
        """
        try:
            return self.manager.save(checkpoint_number=self.step)
        except (OSError, tf.errors.OpError) as e:
            raise CheckpointError(
                f"Could not write the checkpoint of step {self.step} to {self.directory!r} "
                f"({type(e).__name__}: {str(e).strip().splitlines()[0][:200]}). The previous "
                "checkpoints are intact; free disk space and run the same command to resume."
            ) from None

    def restore_latest(self, required: bool = False) -> int:
        """Restores the newest checkpoint; returns its step (0 when there is none)."""
        path = self.latest
        if path is None:
            if required:
                raise CheckpointError(
                    f"No checkpoint in {self.directory!r}. Train first: "
                    "python -m ganzoo.run --mode=train --workdir=... (with --experiment=NAME)."
                )
            return 0
        self.restore(path)
        return self.step

    def restore(self, path: str) -> None:
        try:
            status = self.checkpoint.restore(path)
            status.assert_existing_objects_matched()
        except (ValueError, AssertionError) as e:
            first = str(e).strip().splitlines()[0][:300].rstrip(".")
            raise CheckpointError(
                f"Checkpoint {path!r} does not match this model (a different architecture or "
                f"size?): {first}. Nothing was changed; use the config it was trained with, "
                "or a new --workdir."
            ) from None
        except Exception as e:  # noqa: BLE001  TF raises IndexError, DataLossError, ... here
            raise CheckpointError(
                f"Checkpoint {path!r} cannot be read ({type(e).__name__}: "
                f"{str(e).strip().splitlines()[0][:200]}). It may be truncated or corrupt; it "
                f"was left as it is. Remove it (and its line in {os.path.join(self.directory, 'checkpoint')}) "
                "to fall back to an older one."
            ) from None
