"""Checkpoints of a GAN run: both networks (and the EMA generator), both optimizers, the step,
the RNG state."""

from __future__ import annotations

import os
import shutil
import tempfile

import tensorflow as tf

from ganzoo.errors import CheckpointError

# The checkpoint that scored best during training (eval.every), beside the latest ones.
BEST_DIR = os.path.join("checkpoints", "best")


class RunCheckpoint:
    """A tf.train.CheckpointManager over everything a run needs to continue.

    The step is the generator optimizer's iteration count (one G update per train step), so it
    cannot drift from the optimizer state it describes.

    Multi-worker runs: every worker restores from `directory` (the chief's, in the shared
    workdir) and calls `save` at the same steps, since saving distributed variables may run
    collectives; a worker that is not the `chief` writes into a temporary folder of its own
    and deletes it at once, so only the chief's checkpoints reach `directory`.
    """

    def __init__(self, gan, directory: str, max_to_keep: int = 3, chief: bool = True):
        self.gan = gan
        self.directory = directory
        self.chief = chief
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
        # Created now so every checkpoint holds it (restore would create it and then miss it).
        self.checkpoint.save_counter  # noqa: B018
        self.max_to_keep = max(1, int(max_to_keep))

    @property
    def step(self) -> int:
        return int(self.gan.g_optimizer.iterations.numpy())

    @property
    def latest(self) -> str | None:
        paths = self.checkpoints
        return paths[-1] if paths else None

    @property
    def checkpoints(self) -> list[str]:
        """The complete checkpoints, oldest first, as the `checkpoint` index file lists them."""
        state = tf.train.get_checkpoint_state(self.directory)
        return list(state.all_model_checkpoint_paths) if state else []

    @property
    def data_position(self) -> int:
        """The index of the next batch the run takes from its input pipeline."""
        return self.step + int(self.data_skip.numpy())

    def save(self) -> str:
        """Writes a checkpoint so that a kill at any moment leaves every listed one complete.

        TF writes the files into `ckpt-N_temp/` and renames them into place; only then is the
        `checkpoint` index file (atomically) rewritten to list it, and only after that are the
        checkpoints beyond `max_to_keep` deleted. (tf.train.CheckpointManager deletes them
        before it rewrites the index, so a kill in between leaves the index listing files that
        are gone: the fault-injection test found exactly that.) A disk that fills up mid-write
        leaves the previous checkpoints as they were.

        Returns the checkpoint's path in `directory` (on a non-chief worker: where the chief
        writes it).
        """
        if not self.chief:
            return self._save_and_discard()
        try:
            self._remove_stale_temp_dirs()
            path = self.checkpoint.write(os.path.join(self.directory, f"ckpt-{self.step}"))
            paths = [p for p in self.checkpoints if p != path] + [path]
            keep, drop = paths[-self.max_to_keep :], paths[: -self.max_to_keep]
            # Relative names, so a run folder can be moved or copied and still resume.
            tf.compat.v1.train.update_checkpoint_state(
                self.directory,
                os.path.basename(path),
                all_model_checkpoint_paths=[os.path.basename(p) for p in keep],
            )
            for old in drop:
                for name in tf.io.gfile.glob(old + ".*"):
                    tf.io.gfile.remove(name)
            return path
        except (OSError, tf.errors.OpError) as e:
            raise CheckpointError(
                f"Could not write the checkpoint of step {self.step} to {self.directory!r} "
                f"({type(e).__name__}: {str(e).strip().splitlines()[0][:200]}). The previous "
                "checkpoints are intact; free disk space and run the same command to resume."
            ) from None

    def _save_and_discard(self) -> str:
        try:
            scratch = tempfile.mkdtemp(prefix="ganzoo_worker_checkpoint_")
            try:
                self.checkpoint.write(os.path.join(scratch, f"ckpt-{self.step}"))
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        except (OSError, tf.errors.OpError) as e:
            raise CheckpointError(
                f"Could not write this worker's throw-away copy of the step {self.step} "
                f"checkpoint under {tempfile.gettempdir()!r} ({type(e).__name__}: "
                f"{str(e).strip().splitlines()[0][:200]}). Expected a writable temporary "
                "folder on every worker (set TMPDIR)."
            ) from None
        return os.path.join(self.directory, f"ckpt-{self.step}")

    def _remove_stale_temp_dirs(self) -> None:
        # Left by a process killed mid-write; never listed in the index, so never loaded.
        for name in tf.io.gfile.glob(os.path.join(self.directory, "ckpt-*_temp")):
            tf.io.gfile.rmtree(name)

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
