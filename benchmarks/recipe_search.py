"""Recipe search: trains an experiment with each of a list of `--set` override sets over seeds,
scores each run, and appends one JSON record per run to a results file (runs already in it are
skipped, so a search can be finished in a later session).

On the 2-D mode-collapse benchmarks a run is scored on 2,500 samples (PacGAN's protocol); on
anything else with the family's `--mode=eval` (FID, score, precision, recall on Fashion-MNIST's
domain classifier). With --workdirs the run folders are kept and an interrupted run resumes.

    python -m benchmarks.recipe_search --experiment=ring8_gan --seeds=0,1,2 \\
        --grid='[{}, {"stabilizers.pack": 2, "model.loss": "minimax", "stabilizers.ema_decay": 0.99}]' \\
        --out=benchmarks/results/ring8_recipe_search.jsonl

    python -m benchmarks.recipe_search --experiment=fashion_mnist_dcgan --seeds=0 \\
        --grid='[{"stabilizers.ema_decay": 0.999}]' --workdirs=runs/recipe_search \\
        --out=benchmarks/results/fashion_mnist_recipe_search.jsonl

Modes: ganzoo's eval count (`synthetic_metrics`: a mode counts with >= 20% of a uniform share of
the samples, PacGAN's 20 of 2,500 on grid25). Wall time is the training's, in-process.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import shutil
import statistics
import tempfile
import time

from benchmarks import machine
from docs.tables import markdown_table
from ganzoo import train_lib
from ganzoo.data import synthetic as data_lib
from ganzoo.experiment import get_experiment, load_builtin_experiments
from ganzoo.metrics.evaluator import MODE_THRESHOLD, synthetic_metrics
from ganzoo.metrics.modes import mode_metrics

NUM_SAMPLES = 2500  # PacGAN's and VEEGAN's sample count


def _key(experiment: str, overrides: dict, seed: int) -> str:
    return json.dumps([experiment, overrides, seed], sort_keys=True)


def _scores(config, gan, workdir: str) -> dict:
    """2-D benchmarks: modes by PacGAN's count on NUM_SAMPLES samples; anything else: the
    family's `--mode=eval` figures (written under the run's eval/ as usual)."""
    if config.data.source == "synthetic":
        points = gan.generate(NUM_SAMPLES, seed=1234)
        m = synthetic_metrics(config, points)
        centers, std = data_lib.mode_centers(config.data.name), data_lib.mode_std(config.data.name)
        any_sample = mode_metrics(points, centers, std, MODE_THRESHOLD, min_count=1)
        return dict(
            modes=m["modes_covered"],
            num_modes=m["num_modes"],
            high_quality=m["high_quality_fraction"],
            modes_with_any_sample=any_sample["modes_covered"],
            kl_to_uniform=m["kl_to_uniform"],
        )
    from ganzoo import eval_lib

    result = eval_lib.evaluate_run(workdir, stream=io.StringIO())
    keys = ("fid", "score", "precision", "recall", "kid")
    return {k: result["metrics"][k] for k in keys if k in result["metrics"]}


def run_one(experiment: str, overrides: dict, seed: int, workdir: str) -> dict:
    """Trains one run in `workdir` (resuming what is there) and scores it; the record that goes
    into the results file."""
    config = get_experiment(experiment, {**overrides, "seed": seed})
    resumed = os.path.isdir(os.path.join(workdir, "checkpoints"))
    load = os.getloadavg()[0]
    started = time.perf_counter()
    gan = train_lib.train(config, workdir, stream=io.StringIO())
    wall = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    return dict(
        experiment=experiment,
        overrides=overrides,
        seed=seed,
        steps=config.train.steps,
        **_scores(config, gan, workdir),
        wall_s=round(wall, 1),
        resumed=resumed,
        load_before=round(load, 2),
        load_after=round(load_after, 2),
        commit=machine.code_commit(),
        date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )


def _workdir(root: str, experiment: str, overrides: dict, seed: int) -> str:
    digest = hashlib.sha1(json.dumps(overrides, sort_keys=True).encode()).hexdigest()[:8]
    return os.path.join(root, f"{experiment}_{digest}_s{seed}")


def _mean_std(values: list[float], fmt: str) -> str:
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{fmt.format(statistics.mean(values))} ± {fmt.format(std)}"


def modes_table(records: list[dict], *experiments: str) -> str:
    """One row per experiment (its records run with no overrides, i.e. as shipped): modes and
    high-quality share per seed, mean ± std, seeds with every mode, and training wall time."""
    rows = []
    for name in experiments:
        runs = sorted(
            (r for r in records if r.get("experiment") == name and not r["overrides"]),
            key=lambda r: r["seed"],
        )
        if not runs:
            rows.append([f"`{name}`", "not measured yet", "", "", "", "", "", "", ""])
            continue
        k = runs[0]["num_modes"]
        hq = [100 * r["high_quality"] for r in runs]
        walls = [r["wall_s"] for r in runs]
        loads = [r["load_before"] for r in runs]
        rows.append(
            [
                f"`{name}` ({runs[0]['steps']:,} steps, {runs[0].get('commit', '?')})",
                ", ".join(str(r["modes"]) for r in runs),
                f"**{_mean_std([r['modes'] for r in runs], '{:.1f}')}** / {k}",
                f"{sum(r['modes'] == k for r in runs)} of {len(runs)}",
                ", ".join(f"{v:.1f}" for v in hq),
                f"**{_mean_std(hq, '{:.1f}')}**",
                _mean_std([r["modes_with_any_sample"] for r in runs], "{:.1f}"),
                _mean_std([r["kl_to_uniform"] for r in runs], "{:.3f}"),
                f"{min(walls):.0f}–{max(walls):.0f} s (load {min(loads):.1f}–{max(loads):.1f})",
            ]
        )
    header = [
        "experiment (as shipped)",
        "modes per seed",
        "modes",
        "seeds with all",
        "high-quality % per seed",
        "high-quality %",
        "modes with any high-quality sample",
        "KL(modes ‖ uniform)",
        "training time",
    ]
    return markdown_table(header, rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--grid", required=True, help="JSON list of --set override dicts")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", required=True, help="JSON-lines results file (appended)")
    parser.add_argument(
        "--workdirs",
        default="",
        help="keep each run folder under this folder (an interrupted run resumes there); "
        "default: a temporary folder, removed after scoring",
    )
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
            if args.workdirs:
                workdir = _workdir(args.workdirs, args.experiment, overrides, seed)
                record = run_one(args.experiment, overrides, seed, workdir)
                record["workdir"] = workdir
            else:
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
