"""ganzoo's speed and memory benchmarks: `python -m benchmarks.train_step` (docs/performance.md)."""
