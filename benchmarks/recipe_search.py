"""Recipe search on the 2-D mode-collapse benchmarks: trains an experiment with each of a list
of `--set` override sets over seeds, scores 2,500 samples (PacGAN's protocol), and appends one
JSON record per run to a results file (runs already in it are skipped).

    python -m benchmarks.recipe_search --experiment=ring8_gan --seeds=0,1,2 \\
        --grid='[{}, {"stabilizers.pack": 2, "model.loss": "minimax", "stabilizers.ema_decay": 0.99}]' \\
        --out=benchmarks/results/ring8_recipe_search.jsonl

Modes: ganzoo's eval count (`synthetic_metrics`: a mode counts with >= 20% of a uniform share of
the samples, PacGAN's 20 of 2,500 on grid25). Wall time is the training's, in-process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import tempfile
import time

from ganzoo import train_lib
from ganzoo.experiment import get_experiment, load_builtin_experiments
from ganzoo.metrics.evaluator import synthetic_metrics

NUM_SAMPLES = 2500  # PacGAN's and VEEGAN's sample count


def _key(experiment: str, overrides: dict, seed: int) -> str:
    return json.dumps([experiment, overrides, seed], sort_keys=True)


def run_one(experiment: str, overrides: dict, seed: int, workdir: str) -> dict:
    """Trains one run in `workdir` and scores it; the record that goes into the results file."""
    config = get_experiment(experiment, {**overrides, "seed": seed})
    load = os.getloadavg()[0]
    started = time.perf_counter()
    gan = train_lib.train(config, workdir, stream=io.StringIO())
    wall = time.perf_counter() - started
    metrics = synthetic_metrics(config, gan.generate(NUM_SAMPLES, seed=1234))
    return dict(
        experiment=experiment,
        overrides=overrides,
        seed=seed,
        steps=config.train.steps,
        modes=metrics["modes_covered"],
        num_modes=metrics["num_modes"],
        high_quality=metrics["high_quality_fraction"],
        wall_s=round(wall, 1),
        load_before=round(load, 2),
        load_after=round(os.getloadavg()[0], 2),
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--grid", required=True, help="JSON list of --set override dicts")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", required=True, help="JSON-lines results file (appended)")
    args = parser.parse_args(argv)
    load_builtin_experiments()
    done = set()
    if os.path.exists(args.out):
        with open(args.out) as f:
            records = [r for r in map(json.loads, f) if "experiment" in r]  # skip notes
        done = {_key(r["experiment"], r["overrides"], r["seed"]) for r in records}
    for overrides in json.loads(args.grid):
        for seed in (int(s) for s in args.seeds.split(",")):
            if _key(args.experiment, overrides, seed) in done:
                continue
            workdir = tempfile.mkdtemp(prefix="recipe_search_")
            try:
                record = run_one(args.experiment, overrides, seed, workdir)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            with open(args.out, "a") as f:
                f.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
