"""One run = one folder: config.json, checkpoints/, TensorBoard events, samples/, export/."""

from __future__ import annotations

import json
import os

from ganzoo import config as config_lib
from ganzoo.errors import WorkdirError

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
            probe = self.sub(".write_probe")
            with open(probe, "w") as f:
                f.write("ok")
            os.remove(probe)
        except OSError as e:
            raise WorkdirError(
                f"Cannot write to workdir {self.path!r} ({e.strerror or e}). "
                "Pass a folder you can write to: --workdir=DIR."
            ) from None

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
        tmp = self.config_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(config_lib.to_json(config))
        os.replace(tmp, self.config_path)

    def write_json(self, relpath: str, payload) -> str:
        path = self.sub(relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(payload, f, indent=2, sort_keys=True)
        os.replace(tmp, path)
        return path
