"""Peak memory: the process's peak resident set size, and the accelerator's peak allocation."""

from __future__ import annotations

import resource
import sys


def peak_rss_mib() -> float:
    """This process's peak RSS since it started (`getrusage`; KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def current_rss_mib() -> float | None:
    """This process's RSS now (Linux /proc), or None where unavailable."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * resource.getpagesize() / (1024.0 * 1024.0)


def tf_gpu_peak_mib() -> float | None:
    """TF's peak allocation on GPU:0 since the process started, or None without a GPU."""
    import tensorflow as tf

    if not tf.config.list_logical_devices("GPU"):
        return None
    return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20


def torch_gpu_peak_mib() -> float | None:
    """torch's peak CUDA allocation, or None when torch runs on the CPU."""
    import torch

    if not torch.cuda.is_available():
        return None
    return torch.cuda.max_memory_allocated() / 2**20
