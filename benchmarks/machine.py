"""A description of the machine and software a benchmark ran on, for the results header."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import subprocess


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            return int(f.readline().split()[1]) / 2**20
    except (OSError, IndexError, ValueError):
        return None


def load_average() -> str:
    try:
        return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "n/a"


def gpus() -> list[str]:
    import tensorflow as tf

    out = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        out.append(details.get("device_name", device.name))
    return out


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("tensorflow", "keras", "numpy", "torch"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def describe() -> dict[str, str]:
    """{field: text} for the results header."""
    simd = [f for f in ("avx512f", "avx2", "fma") if f in cpu_flags()]
    mem = memory_gib()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu_model()}, {os.cpu_count()} logical cores"
        + (f" ({', '.join(simd)})" if simd else ""),
        "memory": f"{mem:.0f} GiB" if mem else "n/a",
        "gpu": ", ".join(gpus()) or "none",
        "versions": ", ".join(f"{k} {v}" for k, v in versions().items()),
        "host": platform.platform(),
    }


def busy_cpu_seconds() -> float | None:
    """CPU seconds all processes on the machine have spent busy since boot (/proc/stat), or
    None where unavailable. Its rise minus this process's CPU time is other jobs' load."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    # user nice system idle iowait irq softirq steal ...: everything but idle and iowait.
    values = [int(v) for v in fields[1:9]]
    busy = sum(values) - values[3] - values[4]
    return busy / os.sysconf("SC_CLK_TCK")


def code_commit() -> str:
    """HEAD's short hash, with "+dirty" when the code that makes results (ganzoo/, experiments/,
    benchmarks/) differs from it; results files (.jsonl), which grow with every run, do not
    count. Run from the repository root."""

    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True)

    head = git("rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
    code = ("ganzoo", "experiments", "benchmarks", ":(exclude)*.jsonl")
    dirty = git("diff", "--quiet", "HEAD", "--", *code)
    return head + ("+dirty" if dirty.returncode == 1 else "")
