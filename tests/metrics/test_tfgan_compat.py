"""Tests for loading TF-GAN's eval module without its top-level package."""

import subprocess
import sys
from pathlib import Path

import pytest

from ganzoo.errors import EvalError
from ganzoo.metrics import tfgan_compat

REPO = Path(__file__).resolve().parents[2]

COMPAT_SCRIPT = """
import sys
from ganzoo.metrics.tfgan_compat import load_tfgan_eval
m = load_tfgan_eval()
assert callable(m.frechet_classifier_distance_from_activations)
assert "tensorflow_gan" not in sys.modules, "bare package left behind"
try:
    import tensorflow_gan  # noqa: F401
except Exception as e:
    print("LATER_IMPORT", type(e).__name__)
else:
    print("LATER_IMPORT ok")
print("COMPAT_OK")
"""


def test_eval_functions_reachable():
    tfgan_eval = tfgan_compat.load_tfgan_eval()
    assert callable(tfgan_eval.frechet_classifier_distance_from_activations)
    assert callable(tfgan_eval.classifier_score_from_logits)
    assert tfgan_compat.load_tfgan_eval() is tfgan_eval


def test_plain_import_fails_where_compat_loader_works():
    # Two fresh interpreters, started together: each pays TensorFlow's import time.
    pipes = {"cwd": REPO, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    plain = subprocess.Popen([sys.executable, "-c", "import tensorflow_gan"], **pipes)
    compat = subprocess.Popen([sys.executable, "-c", COMPAT_SCRIPT], **pipes)
    plain_out, plain_err = plain.communicate(timeout=300)
    compat_out, compat_err = compat.communicate(timeout=300)
    assert "COMPAT_OK" in compat_out, compat_err[-2000:]
    if plain.returncode == 0:
        pytest.skip("`import tensorflow_gan` works on this TensorFlow; the loader is not needed.")
    assert "estimator" in plain_err
    # The loader leaves a later real import as it was: failing the same way.
    assert "LATER_IMPORT AttributeError" in compat_out


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(tfgan_compat.importlib.util, "find_spec", lambda name: None)
    monkeypatch.delitem(sys.modules, "tensorflow_gan.python.eval", raising=False)
    tfgan_compat.load_tfgan_eval.cache_clear()
    try:
        with pytest.raises(EvalError, match="pip install tensorflow-gan"):
            tfgan_compat.load_tfgan_eval()
    finally:
        tfgan_compat.load_tfgan_eval.cache_clear()
