"""Checkpoints of a GAN run: both networks (and the EMA generator), both optimizers, the step,
the RNG state (and ADA's augmentation probability)."""

from __future__ import annotations

import glob
import os
import shutil
import sys
import tempfile
import time

import tensorflow as tf

from ganzoo.errors import CheckpointError

# The checkpoint that scored best during training (eval.every), beside the latest ones.
BEST_DIR = os.path.join("checkpoints", "best")
# Where a checkpoint that cannot be read is moved (never deleted), inside its folder.
DAMAGED_DIR = "damaged"


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
        if getattr(gan, "ada_variables", None):
            # ADA's p, r_t and the current interval's sums: a resumed run goes on from them.
            tracked["ada"] = gan.ada_variables
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

    def restore_latest(self, required: bool = False, set_aside: bool = False, stream=None) -> int:
        """Restores the newest readable checkpoint; returns its step (0 when there is none).

        Newer checkpoints that cannot be read (truncated, corrupt, missing files) are skipped
        with a line on `stream` (default stderr); with `set_aside` (the caller holds the run
        folder) they are also moved into `damaged/` beside them, never deleted, and the index
        rewritten without them. When none can be read, nothing is moved and a CheckpointError
        says so.
        """
        paths = self.checkpoints
        if not paths:
            if required:
                raise CheckpointError(
                    f"No checkpoint in {self.directory!r}. Train first: "
                    "python -m ganzoo.run --mode=train --workdir=... (with --experiment=NAME)."
                )
            return 0
        damaged = []
        for path in reversed(paths):
            try:
                self.restore(path)
            except UnreadableCheckpointError as e:
                damaged.append((path, e.cause))
                continue
            for bad, cause in damaged:
                where = self._set_aside(bad) if set_aside else "left in place"
                print(
                    f"Checkpoint {os.path.basename(bad)} in {self.directory} cannot be read "
                    f"({cause}); {where}. Using {os.path.basename(path)} (step {self.step}), "
                    "the newest readable one.",
                    file=stream or sys.stderr,
                    flush=True,
                )
            return self.step
        raise CheckpointError(
            f"None of the {len(paths)} checkpoints in {self.directory!r} can be read (newest, "
            f"{os.path.basename(paths[-1])}: {damaged[0][1]}). They were left as they are. "
            "Expected at least one readable checkpoint; move them away to start the run again "
            "from step 0, or use a new --workdir."
        )

    def _set_aside(self, path: str) -> str:
        """Moves checkpoint `path`'s files into damaged/<name>-<time>/, then drops it from the
        index (in that order: a kill in between leaves an index entry whose files are gone,
        which the next restore skips and sets aside in turn). Returns what was done."""
        name = os.path.basename(path)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = os.path.join(self.directory, DAMAGED_DIR, f"{name}-{stamp}")
        files = glob.glob(glob.escape(path) + ".*")
        if files:
            os.makedirs(aside, exist_ok=True)
            for file in files:
                shutil.move(file, os.path.join(aside, os.path.basename(file)))
        # Only called once an older checkpoint restored: `kept` is never empty.
        kept = [os.path.basename(p) for p in self.checkpoints if p != path]
        tf.compat.v1.train.update_checkpoint_state(
            self.directory, kept[-1], all_model_checkpoint_paths=kept
        )
        return f"moved it to {aside}" if files else "its files are gone; dropped it from the index"

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
            raise UnreadableCheckpointError(path, e) from None


class UnreadableCheckpointError(CheckpointError):
    """A checkpoint whose files cannot be read: truncated, corrupt or gone."""

    def __init__(self, path: str, error: Exception):
        self.path = path
        first = (str(error).strip().splitlines() or [""])[0][:200]
        self.cause = f"{type(error).__name__}: {first}"
        super().__init__(
            f"Checkpoint {path!r} cannot be read ({self.cause}). It may be truncated or "
            "corrupt; it was left as it is. Expected a complete checkpoint: training, sampling "
            "or exporting the run folder sets it aside and uses the newest readable one."
        )
