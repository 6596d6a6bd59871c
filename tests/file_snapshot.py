"""What the tests that must prove "nothing was written" compare: every file under a folder."""

from __future__ import annotations

import hashlib
import os


def snapshot(root) -> dict[str, tuple[int, int, str]]:
    """{relative path: (size, mtime_ns, sha256 of the bytes)} of every file under `root`."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            st = os.stat(path)
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            out[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns, digest)
    return out
