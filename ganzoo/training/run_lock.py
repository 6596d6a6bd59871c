"""One writer per run folder: a process that writes into a run (train, sample, export, eval,
edit) holds an exclusive `flock` on the folder's `.lock` file while it does; a second writer
stops at once, naming the holder. The kernel drops the lock when its process dies (even by
SIGKILL), so a lock file left behind is recognised as stale and taken over."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shlex
import socket
import sys
import time
from collections.abc import Iterator

from ganzoo.errors import WorkdirError

LOCK_NAME = ".lock"
# File systems that cannot lock (some FUSE mounts) answer with one of these.
_NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL)
# Run folders this process holds (real path -> the lock file's descriptor, None where the file
# system cannot lock): a writer that calls another (an export inside a run) does not lock
# itself out.
_HELD: dict[str, int | None] = {}


def held(folder: str) -> bool:
    """Whether this process holds `folder`'s writer lock (only its holder moves files in it)."""
    return os.path.realpath(folder) in _HELD


@contextlib.contextmanager
def writer(folder: str, stream=None) -> Iterator[None]:
    """Holds `folder`'s writer lock for the block; a WorkdirError at once when another live
    process holds it. Nested use in one process is allowed. A folder that does not exist holds
    no run to protect and is not created: the block runs unlocked (a training creates its
    folder first, then locks it)."""
    key = os.path.realpath(folder)
    if key in _HELD or not os.path.isdir(key):
        yield  # held by an outer block of this process already, or nothing to protect
        return
    fd = _acquire(key, stream or sys.stderr)
    _HELD[key] = fd
    try:
        yield
    finally:
        del _HELD[key]
        if fd is not None:
            _release(key, fd)


def _acquire(folder: str, stream) -> int | None:
    path = os.path.join(folder, LOCK_NAME)
    while True:
        fd = _open(folder, path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd) or {}  # empty: locked a moment ago, its record not yet written
            os.close(fd)
            raise WorkdirError(busy_message(folder, holder)) from None
        except OSError as e:
            os.close(fd)
            if e.errno not in _NO_LOCKS:
                raise
            note = f"Note: {folder} cannot be locked ({e.strerror}); nothing stops a second "
            print(note + "process from writing it at the same time.", file=stream, flush=True)
            return None
        if _is_current(fd, path):
            break
        os.close(fd)  # its holder deleted it between our open and lock: lock the new one
    previous = _read(fd)
    if previous is not None:
        print(stale_message(folder, previous), file=stream, flush=True)
    try:
        _write(fd, _record())
    except OSError as e:  # a full disk
        os.close(fd)
        raise _unwritable(folder, e) from None
    return fd


def _open(folder: str, path: str) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise _unwritable(folder, e) from None


def _unwritable(folder: str, error: OSError) -> WorkdirError:
    return WorkdirError(
        f"Cannot write to workdir {folder!r} ({error.strerror or error}). "
        "Pass a folder you can write to: --workdir=DIR."
    )


def _is_current(fd: int, path: str) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _release(folder: str, fd: int) -> None:
    # Emptied first: a lock file that cannot be deleted then reads as released, not as stale.
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.unlink(os.path.join(folder, LOCK_NAME))
    os.close(fd)  # drops the flock


def _record() -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.time(),
        "command": _command(),
    }


def _command() -> str:
    argv = list(sys.argv) or ["python"]
    if argv[0].endswith(os.path.join("ganzoo", "run.py")):
        argv[0:1] = ["python", "-m", "ganzoo.run"]
    else:
        argv[0] = os.path.basename(argv[0]) or "python"
    text = shlex.join(argv)
    return text if len(text) <= 200 else text[:197] + "..."


def _write(fd: int, record: dict) -> None:
    data = json.dumps(record, sort_keys=True).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _read(fd: int) -> dict | None:
    """The holder's record; None for an empty file (released), {} for one being written."""
    data = os.pread(fd, 65536, 0)
    if not data.strip():
        return None
    try:
        record = json.loads(data)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def busy_message(folder: str, holder: dict) -> str:
    since = ""
    started = holder.get("started")
    if isinstance(started, (int, float)):
        clock = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
        since = f" for {duration(time.time() - started)} (since {clock})"
    stop = f" (kill {holder['pid']})" if holder.get("pid") else ""
    return (
        f"Run folder {folder} is in use by {_who(holder)}, which has been writing it{since}. Expected "
        f"one writer per run folder: wait for it to finish or stop it{stop}, then run this "
        "again. Nothing was changed."
    )


def stale_message(folder: str, previous: dict) -> str:
    return (
        f"Note: took over {folder} from {_who(previous)}, which ended without releasing it "
        "(killed or crashed)."
    )


def _who(record: dict) -> str:
    if not record.get("pid"):
        return "another process (it is writing its lock record)"
    host = f" on {record['host']}" if record.get("host") != socket.gethostname() else ""
    command = f" ({record['command']})" if record.get("command") else ""
    return f"process {record['pid']}{host}{command}"


def duration(seconds: float) -> str:
    """`seconds` as `45 s`, `2 min 03 s` or `1 h 05 min`."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
