"""Imports TensorFlow for the command line without its known start-up chatter on the console.

TF 2.21 logs through Abseil and applies TF_CPP_MIN_LOG_LEVEL in a static initializer
(`tsl::LoggingInitializer`) that runs after two other static initializers have already logged
at INFO: `port.cc` (oneDNN is on) and `cudart_stub.cc` (no CUDA runtime on this machine), each
preceded by Abseil's "before absl::InitializeLog()" notice. They come twice because
`import tensorflow` also loads `tensorflow/lite/python/libpywrap_tflite_common.so` (through
`tf.compat.v1.lite`), which carries its own copy of Abseil and TSL. Abseil reads no environment
variable for its log level and TF never parses Abseil's flags, so no setting reaches them; and
on a machine without CUDA, the first device listing logs `failed call to cuInit` at ERROR.

`import_tensorflow` therefore captures file descriptor 2 while TensorFlow is imported and its
devices listed, then writes back, in order, every line but those `harmless` names: real
warnings and errors of that window still show, and nothing after it is touched. Set
TF_CPP_MIN_LOG_LEVEL=0 to see TensorFlow's start-up output unfiltered.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator

ABSL_PREAMBLE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
)
# An Abseil line as TF 2.21 writes it before absl::InitializeLog: "I0000 00:00:<epoch> <tid> ".
_ABSL_PREFIX = r"{severity}\d{{4}} [\d:.]+ +\d+ (?:\S+/)?{file}:\d+\] "
NO_CUDA = re.compile(
    _ABSL_PREFIX.format(severity="I", file=r"cudart_stub\.cc")
    + re.escape("Could not find cuda drivers on your machine, GPU will not be used.")
)
ONEDNN_ON = re.compile(
    _ABSL_PREFIX.format(severity="I", file=r"port\.cc")
    + re.escape("oneDNN custom operations are on.")
)
# Dropped only where TF reported NO_CUDA in the same window: the failure that follows from it.
CUINIT_FAILED = re.compile(
    _ABSL_PREFIX.format(severity="E", file=r"cuda_platform\.cc") + "failed call to cuInit: "
)


def harmless(lines: list[str]) -> list[bool]:
    """Which of the captured `lines` are the known start-up chatter: Abseil's preamble, the
    oneDNN and no-CUDA-runtime INFO lines, and cuInit's failure when TF reported no CUDA
    runtime in the same lines (on such a machine no GPU is used, as TF says)."""
    no_cuda = any(NO_CUDA.match(line) for line in lines)
    return [
        line.rstrip("\r\n") == ABSL_PREAMBLE
        or bool(ONEDNN_ON.match(line) or NO_CUDA.match(line))
        or (no_cuda and bool(CUINIT_FAILED.match(line)))
        for line in lines
    ]


def filter_lines(text: str) -> str:
    """`text` without its harmless start-up lines."""
    lines = text.splitlines(keepends=True)
    return "".join(line for line, drop in zip(lines, harmless(lines), strict=True) if not drop)


@contextlib.contextmanager
def filtered_stderr(keep: Callable[[str], str] = filter_lines) -> Iterator[None]:
    """Captures what is written to file descriptor 2 (Python's and C++'s) inside the block in
    a temporary file, then writes `keep(captured)` back to it, also when the block raises."""
    try:
        capture = tempfile.TemporaryFile()
    except OSError:  # nowhere to capture: unfiltered output rather than no TensorFlow
        yield
        return
    with capture:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            sys.stderr.write(keep(capture.read().decode("utf-8", errors="replace")))
            sys.stderr.flush()


def wants_filter(environ=os.environ) -> bool:
    """The chatter is INFO: filter it unless TF_CPP_MIN_LOG_LEVEL asks for INFO lines (0)."""
    return environ.get("TF_CPP_MIN_LOG_LEVEL", "0").strip() not in ("", "0")


def import_tensorflow() -> None:
    """Imports TensorFlow and lists its devices with the start-up chatter filtered (module
    docstring); a plain import when TensorFlow is loaded already or its INFO lines are wanted."""
    if "tensorflow" in sys.modules or not wants_filter():
        import tensorflow  # noqa: F401

        return
    with filtered_stderr():
        import tensorflow as tf

        tf.config.list_physical_devices()  # where cuInit fails on a machine without CUDA
