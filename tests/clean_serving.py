"""Serving an exported SavedModel in a process that never imports ganzoo, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np


def serve_without_ganzoo(saved_model: str, tmp_path, checks: str = "", **inputs) -> np.ndarray:
    """`images` of the model's `serving_default` signature called on `inputs` (numpy arrays,
    by argument name), in a fresh Python process with PYTHONPATH cleared; the process asserts
    ganzoo was never imported and that `images` is the only output. `checks`: more lines run
    there before the call, with the signature as `fn` (and `tf`, `np`) in scope."""
    names = {}
    for name, value in inputs.items():
        names[name] = str(tmp_path / f"serve_input_{name}.npy")
        np.save(names[name], value)
    out_path = str(tmp_path / "serve_output_images.npy")
    args = ", ".join(f"{k}=tf.constant(np.load({path!r}))" for k, path in names.items())
    script = "\n".join(
        [
            "import sys",
            "import numpy as np",
            "import tensorflow as tf",
            f'fn = tf.saved_model.load({saved_model!r}).signatures["serving_default"]',
            textwrap.dedent(checks),
            f"out = fn({args})",
            'assert list(out) == ["images"], list(out)',
            'assert "ganzoo" not in sys.modules',
            f'np.save({out_path!r}, out["images"].numpy())',
        ]
    )
    env = {**os.environ, "PYTHONPATH": ""}
    subprocess.run([sys.executable, "-c", script], check=True, env=env)
    return np.load(out_path)
