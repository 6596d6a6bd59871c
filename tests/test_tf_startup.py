"""The start-up filter drops exactly TF 2.21's known harmless lines and keeps the rest."""

import os
import subprocess
import sys

from ganzoo.training import tf_startup

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PREAMBLE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
)
ONEDNN = (
    "I0000 00:00:1796472848.571453   27875 port.cc:153] oneDNN custom operations are on. You "
    "may see slightly different numerical results due to floating-point round-off errors from "
    "different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`.\n"
)
NO_CUDA = (
    "I0000 00:00:1796472848.571810   27875 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.\n"
)
CUINIT = (
    "E0000 00:00:1796472850.103864   27875 cuda_platform.cc:52] failed call to cuInit: INTERNAL: "
    "CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n"
)
REAL = [
    "W0000 00:00:1796472850.2   27875 op_kernel.cc:1857] OP_REQUIRES failed: NOT_FOUND\n",
    "E0000 00:00:1796472850.3   27875 some_op.cc:12] a real error\n",
    "/x/keras/layers.py:93: UserWarning: Do not pass an `input_shape`\n",
    "I0000 00:00:1796472850.4   27875 port.cc:153] something else port.cc says\n",
]
# TF 2.21's start-up on a CPU-only machine: twice (two copies of Abseil), then cuInit.
CPU_ONLY = PREAMBLE + ONEDNN + NO_CUDA + PREAMBLE + ONEDNN + NO_CUDA + CUINIT


def test_cpu_only_start_up_lines_are_all_dropped():
    assert tf_startup.filter_lines(CPU_ONLY) == ""


def test_real_warnings_and_errors_are_kept_in_order():
    text = REAL[0] + PREAMBLE + ONEDNN + REAL[1] + NO_CUDA + REAL[2] + CUINIT + REAL[3]
    assert tf_startup.filter_lines(text) == "".join(REAL)


def test_cuinit_failure_is_kept_where_tf_found_a_cuda_runtime():
    # A machine with CUDA libraries whose cuInit fails has a real problem: it stays.
    assert tf_startup.filter_lines(PREAMBLE + ONEDNN + CUINIT) == CUINIT


def stderr_of(body: str) -> str:
    """The stderr of a fresh Python running `body` (sys.stderr on fd 2, as on a console)."""
    script = f"import os, sys\nfrom ganzoo.training import tf_startup\n{body}"
    env = {**os.environ, "PYTHONPATH": REPO}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    return proc.stderr


def test_filtered_stderr_captures_cpp_writes_and_writes_back_the_rest():
    err = stderr_of(
        f"""
print("before", file=sys.stderr)
with tf_startup.filtered_stderr():
    os.write(2, {CPU_ONLY + REAL[1]!r}.encode())  # as C++ writes: straight to fd 2
    print({REAL[2]!r}, end="", file=sys.stderr)
print("after", file=sys.stderr)
"""
    )
    assert err == "before\n" + REAL[1] + REAL[2] + "after\n"


def test_filtered_stderr_writes_back_when_the_block_raises():
    err = stderr_of(
        f"""
with tf_startup.filtered_stderr():
    os.write(2, {PREAMBLE + REAL[1]!r}.encode())
    raise ImportError("no tensorflow")
"""
    )
    assert err.startswith(REAL[1]) and err.rstrip().endswith("ImportError: no tensorflow")


def test_min_log_level_0_asks_for_everything():
    assert not tf_startup.wants_filter({"TF_CPP_MIN_LOG_LEVEL": "0"})
    assert not tf_startup.wants_filter({})  # TF's own default: INFO and up
    assert tf_startup.wants_filter({"TF_CPP_MIN_LOG_LEVEL": "2"})
