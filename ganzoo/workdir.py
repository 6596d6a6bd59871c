"""One run = one folder: config.json, checkpoints/, TensorBoard events, samples/, export/; and
the atomic writes every file of it goes through (a temporary name beside the target, renamed)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator

from ganzoo import config as config_lib
from ganzoo.errors import WorkdirError

NOT_A_RUN_EXPECTED = "Train first with --experiment=NAME --workdir=DIR."

# Keys that may differ when a run is continued: how long and how it logs, not what it trains.
RESUMABLE_PREFIXES = (
    "eval.",
    "train.steps",
    "train.log_every",
    "train.sample_every",
    "train.checkpoint_every",
    "train.keep_checkpoints",
    "train.jit_compile",
    "train.nonfinite_remedy",
    "train.max_rollbacks",
    "train.lr_backoff",
    "health.",
    "sample.",
    "description",
    "data.data_dir",
    "data.dir",
    "data.download",
    # What evaluation, sampling, editing and judging read; training never does (and the
    # families' own such keys: ganzoo.config.runtime_keys).
    "edit.",
    "judge.",
)


class Workdir:
    def __init__(self, path: str):
        if "://" in str(path):
            # os.path.abspath would turn gs://b/x into <cwd>/gs:/b/x and train there silently.
            raise WorkdirError(
                f"Received: --workdir={path!r}, a URL. ganzoo writes its workdir with local file "
                "calls, so URLs (gs://, s3://, hdfs://) are not supported. Expected a local "
                "folder, or a bucket mounted as one (e.g. gcsfuse: --workdir=/mnt/bucket/runs/x)."
            )
        self.path = os.path.abspath(path)
        self.given = str(path)  # as the user named it, for messages (relative stays relative)

    def sub(self, *parts: str) -> str:
        return os.path.join(self.path, *parts)

    @property
    def config_path(self) -> str:
        return self.sub("config.json")

    @property
    def checkpoint_dir(self) -> str:
        return self.sub("checkpoints")

    @property
    def samples_dir(self) -> str:
        return self.sub("samples")

    @property
    def tensorboard_dir(self) -> str:
        return self.sub("tensorboard")

    @property
    def export_dir(self) -> str:
        return self.sub("export")

    def ensure_writable(self) -> None:
        """Creates the folder and proves it writable, before anything is trained."""
        try:
            os.makedirs(self.path, exist_ok=True)
            # Named per process: two starting at once must not delete each other's probe.
            probe = self.sub(f".write_probe-{os.getpid()}")
            with open(probe, "w") as f:
                f.write("ok")
            os.remove(probe)
        except OSError as e:
            raise WorkdirError(
                f"Cannot write to workdir {self.path!r} ({e.strerror or e}). "
                "Pass a folder you can write to: --workdir=DIR."
            ) from None

    def require_config(self, expected: str = NOT_A_RUN_EXPECTED) -> config_lib.Config:
        """The run's config; a WorkdirError when the folder has no config.json. `expected`
        says what the caller wants instead (a trained run for --mode=judge, ...)."""
        config = self.read_config()
        if config is None:
            raise WorkdirError(
                f"{self.path!r} has no config.json: it is not a ganzoo run folder. {expected}"
            )
        return config

    def read_config(self) -> config_lib.Config | None:
        if not os.path.exists(self.config_path):
            return None
        try:
            with open(self.config_path, encoding="utf-8") as f:
                return config_lib.from_json(f.read())
        except (OSError, ValueError) as e:
            raise WorkdirError(
                f"{self.config_path} cannot be read as a ganzoo config ({e}). "
                "It was left as it is; use another --workdir or repair the file."
            ) from None

    def check_compatible(self, config: config_lib.Config) -> None:
        """A workdir holds one run: refuse to continue it with a different model or data."""
        previous = self.read_config()
        if previous is None:
            return
        # Compared as JSON sees them: tuples come back from config.json as lists.
        saved_form = config_lib.from_json(config_lib.to_json(config))
        old, new = config_lib.flat_keys(previous), config_lib.flat_keys(saved_form)
        resumable = RESUMABLE_PREFIXES + config_lib.runtime_keys()
        differing = [
            k
            for k in sorted(set(old) | set(new))
            if old.get(k) != new.get(k) and not k.startswith(resumable)
        ]
        if differing:
            shown = ", ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in differing[:5])
            raise WorkdirError(
                f"Workdir {self.path!r} holds a different run ({shown}). Nothing was changed. "
                "Use a new --workdir, or the same settings to resume."
            )

    def write_config(self, config: config_lib.Config) -> None:
        atomic_write_text(self.config_path, config_lib.to_json(config))

    def write_json(self, relpath: str, payload) -> str:
        return atomic_write_json(self.sub(relpath), payload)


# -- atomic writes -----------------------------------------------------------------------------
# A reader (a resumed run, TensorBoard, a judge page) sees the old file or the whole new one,
# never part of one: each write goes to a temporary name beside the target, then is renamed
# (atomic on one file system). The process id in the temporary name keeps two processes that
# write the same file (a shared cache) from writing into each other's.
def _temporary(path: str, kind: str, suffix: str = "") -> str:
    return f"{path}.{kind}-{os.getpid()}{suffix}"


@contextlib.contextmanager
def atomic_path(path: str, suffix: str = "") -> Iterator[str]:
    """Yields a temporary file name beside `path` to write; renames it to `path` when the block
    ends without error, and deletes it when the block raises. The parent folder is created.
    `suffix` ends the temporary name, for writers that insist on one (Keras: `.keras`)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = _temporary(path, "tmp", suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def atomic_write_bytes(path: str, data: bytes) -> str:
    """Writes `data` to `path` atomically; returns `path`."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
    return path


def atomic_write_text(path: str, text: str) -> str:
    """Writes `text` (UTF-8) to `path` atomically; returns `path`."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def atomic_write_json(path: str, payload) -> str:
    """Writes `payload` as JSON (indented, keys sorted) to `path` atomically; returns `path`."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2, sort_keys=True)
    return path


def atomic_save_npy(path: str, array) -> str:
    """`np.save(path, array)` atomically; returns `path`."""
    import numpy as np  # not at the top: reading a run's config loads no numpy

    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.save(f, array)
    return path


def replace_dir(path: str, write: Callable[[str], object]) -> str:
    """Calls `write(folder)` with a fresh temporary folder name beside `path`, then swaps that
    folder into place: the old `path` stays until the new one is complete, then is renamed
    aside, the new one renamed in, the old one deleted. An interruption leaves the old folder
    or the new one whole (a SavedModel, a cached classifier). Returns `path`."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp, old = _temporary(path, "tmp"), _temporary(path, "old")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        write(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(path):
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)
    return path
