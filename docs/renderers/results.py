"""docs/results.md's ring8 seed-0 table: measured by this module, rendered from its results file.

    python -m docs.renderers.results --workdir=runs/ring8_gan --out=docs/results/ring8_gan.json

Trains `ring8_gan` (its own 5,000 steps, seed 0) with `python -m ganzoo.run`, timed end to
end, draws `gan.generate(10000, seed=0)` from the final checkpoint and scores the samples with
`ganzoo.metrics.mode_metrics` at min_count 1 and 100 (1% of the samples). Each call appends one
record (a re-run) to --out; `ring8_table` renders them, one row per record.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

from docs.tables import markdown_table

EXPERIMENT, SAMPLES, SEED = "ring8_gan", 10_000, 0


def measure(workdir: str) -> dict:
    """Trains the run (a workdir left from before is resumed: start from an empty one) and
    scores it; the record."""
    from benchmarks import machine

    train = [
        sys.executable,
        "-m",
        "ganzoo.run",
        f"--experiment={EXPERIMENT}",
        f"--workdir={workdir}",
    ]
    load_before = machine.load_average()
    start = time.perf_counter()
    subprocess.run(train, check=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    wall = time.perf_counter() - start
    load_after = machine.load_average()

    from ganzoo import train_lib
    from ganzoo.data import synthetic
    from ganzoo.metrics import mode_metrics

    config, gan, step = train_lib.load_run(workdir)
    samples = gan.generate(SAMPLES, seed=SEED)
    centers, std = synthetic.mode_centers("ring8"), synthetic.mode_std("ring8")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "experiment": EXPERIMENT,
        "seed": config.seed,
        "steps": step,
        "train_command": " ".join(["python", *train[1:]]),
        "commit": commit,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "load_before": load_before,
        "load_after": load_after,
        "wall_s": round(wall, 1),
        "samples": SAMPLES,
        "sample_seed": SEED,
        "metrics": mode_metrics(samples, centers, std),
        "metrics_min_count_100": mode_metrics(samples, centers, std, min_count=100),
    }


def ring8_table(results: dict) -> str:
    """One row per measured run of ring8_gan: modes at >= 1 and >= 100 samples, quality, KL."""
    rows = []
    for r in results["runs"]:
        m, m100 = r["metrics"], r["metrics_min_count_100"]
        rows.append(
            [
                f"`{r['experiment']}` ({m['num_modes']} modes), seed {r['seed']}, "
                f"{r['date'][:10]}, {r['commit']}",
                f"**{m['modes_covered']} / {m['num_modes']}**",
                f"{m100['modes_covered']} / {m100['num_modes']}",
                f"{100 * m['high_quality_fraction']:.1f}%",
                f"{m['kl_to_uniform']:.3f}",
                f"{r['wall_s']:.0f} s (load {r['load_before'].split()[0]})",
            ]
        )
    header = [
        "experiment",
        "modes with >= 1 sample",
        "modes with >= 1% of samples",
        "high-quality samples",
        "KL(modes ‖ uniform)",
        "training wall time",
    ]
    return markdown_table(header, rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", default="runs/ring8_gan")
    parser.add_argument("--out", default="docs/results/ring8_gan.json")
    args = parser.parse_args(argv)
    results = {"command": "python -m docs.renderers.results " + " ".join(argv or sys.argv[1:])}
    if os.path.exists(args.out):
        with open(args.out) as f:
            results = json.load(f)
    results.setdefault("runs", []).append(measure(args.workdir))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    print(ring8_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
