"""The answers file of a judging session: one JSON line per answer, each on disk (flush + fsync)
before the server replies, so a closed tab or a killed server loses nothing."""

from __future__ import annotations

import json
import os
import threading

from ganzoo.errors import GanzooError
from ganzoo.workdir import atomic_write_json


class JudgeError(GanzooError):
    """A judging session that cannot start: a port in use, a session of other runs, no images."""


class DuplicateAnswer(Exception):
    """An image of the session already answered (a double click, a second tab)."""


def session_paths(workdir: str, session: str) -> tuple[str, str]:
    """(answers .jsonl, session .json) of `session` in a run folder's human_eval/."""
    base = os.path.join(workdir, "human_eval", session)
    return base + ".jsonl", base + ".session.json"


def check_session(path: str, description: dict, ignore: tuple[str, ...] = ("paths",)) -> None:
    """Writes the session's description (runs, steps, pool settings) at its first start; at a
    restart, raises JudgeError when it differs (the ids would name other images). Keys in
    `ignore` (where the run folders are) may change: a moved folder is the same run."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            saved = json.load(f)
        keys = (set(saved) | set(description)) - set(ignore)
        changed = sorted(k for k in keys if saved.get(k) != description.get(k))
        if changed:
            detail = "; ".join(
                f"{k}: {saved.get(k)!r} then, {description.get(k)!r} now" for k in changed
            )
            name = os.path.basename(path).removesuffix(".session.json")
            raise JudgeError(
                f"Session {name!r} was started with other images ({detail}). Continue it with "
                "the same runs, checkpoints and judge.* settings, or start a new one with "
                "--set judge.session=NEW_NAME."
            )
        return
    atomic_write_json(path, description)


class AnswerLog:
    """Appends answer records to a .jsonl file and keeps them in memory, thread-safely.

    A line torn by a kill mid-write is skipped when read (and counted in `torn_lines`); the next
    answer starts on a new line.
    """

    def __init__(self, path: str):
        self.path = path
        self.records: list[dict] = []
        self.torn_lines = 0
        self._lock = threading.Lock()
        self._needs_newline = False
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self._needs_newline = bool(text) and not text.endswith("\n")
            for line in text.splitlines():
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    record["id"], record["answer"]  # noqa: B018  both present or torn
                except (json.JSONDecodeError, TypeError, KeyError):
                    self.torn_lines += 1
                    continue
                self.records.append(record)
        self.answered = {r["id"] for r in self.records}

    def append(self, record: dict) -> None:
        """Writes `record` as one line and syncs it to disk; DuplicateAnswer for an id seen."""
        line = json.dumps(record, sort_keys=True) + "\n"
        with self._lock:
            if record["id"] in self.answered:
                raise DuplicateAnswer(record["id"])
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(("\n" if self._needs_newline else "") + line)
                f.flush()
                os.fsync(f.fileno())
            self._needs_newline = False
            self.records.append(record)
            self.answered.add(record["id"])

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.records)
