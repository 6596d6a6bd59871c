"""Limited data (#17 point 6): fashion_mnist_dcgan trained on the first 1,000 and 5,000
training images (`data.max_examples`) with no augmentation, DiffAugment and ADA, seeds 0, 1, 2.
Each run trains in its own folder under --runs (an interrupted run resumes there), is scored by
its family's evaluation (`ganzoo.eval_lib.evaluate_run`: FID, KID, ... of eval.num_samples
samples against the test split, with the domain classifier trained on all 60,000 training
images), and is appended as one JSON line to --out; runs already there are skipped, so the
table grows over sessions.

    python -m benchmarks.limited_data --steps=10000 \\
        --out=benchmarks/results/limited_data.jsonl --runs=runs/limited_data
    python docs/tables.py   # re-renders the table in docs/stabilizers.md

--sizes, --variants and --seeds pick a part of the grid; --set KEY=VALUE (repeatable) adds
overrides to every run (they are part of a record's identity, as --steps is).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import statistics
import time

from benchmarks import machine

# ganzoo (and TensorFlow) are imported where runs are made, so rendering the table stays light.
EXPERIMENT = "fashion_mnist_dcgan"
SIZES = (1000, 5000)
SEEDS = (0, 1, 2)
# The zoo's DiffAugment policy (experiment cifar10_diffaug_sngan; Zhao et al.'s for few images);
# ADA uses the same transforms (stabilizers.ada_policy's default), each with probability p.
DIFF_AUGMENT = "color,translation,cutout"
VARIANTS = {
    "none": {},
    "diffaugment": {"stabilizers.diff_augment": DIFF_AUGMENT},
    "ada": {"stabilizers.ada_target": 0.6, "stabilizers.ada_policy": DIFF_AUGMENT},
}
TITLES = {"none": "no augmentation", "diffaugment": "DiffAugment", "ada": "ADA (target 0.6)"}


def overrides_for(size: int, variant: str, seed: int, steps: int | None, extra: dict) -> dict:
    """The `--set` overrides of one run."""
    out = {**extra, **VARIANTS[variant], "data.max_examples": size, "seed": seed}
    if steps:
        out["train.steps"] = steps
    return out


def key(record: dict) -> str:
    """What identifies a run: two records with one key are the same run."""
    fields = ("experiment", "max_examples", "variant", "seed", "steps", "extra")
    return json.dumps([record.get(f) for f in fields], sort_keys=True)


def run_name(size: int, variant: str, seed: int, steps: int, extra: dict) -> str:
    name = f"{EXPERIMENT}_n{size}_{variant}_s{seed}_steps{steps}"
    if extra:  # different extra overrides must not resume each other's folders
        digest = hashlib.sha1(json.dumps(extra, sort_keys=True).encode()).hexdigest()[:8]
        name += f"_{digest}"
    return name


def final_ada_p(workdir: str) -> float | None:
    """ADA's p at the last logged step (train_log.jsonl), None without ADA."""
    path = os.path.join(workdir, "train_log.jsonl")
    if not os.path.exists(path):
        return None
    last = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                last = json.loads(line)
    return None if last is None else last.get("ada_p")


def run_one(config, size: int, variant: str, seed: int, extra: dict, runs: str) -> dict:
    """Trains (or resumes) the run of `config` under `runs`, evaluates it; the record for the
    results file."""
    from ganzoo import eval_lib, train_lib

    steps = config.train.steps
    workdir = os.path.join(runs, run_name(size, variant, seed, steps, extra))
    load = os.getloadavg()[0]
    started = time.perf_counter()
    train_lib.train(config, workdir, stream=io.StringIO())
    trained = time.perf_counter()
    result = eval_lib.evaluate_run(workdir, config, stream=io.StringIO())
    metrics = {k: v for k, v in result["metrics"].items() if isinstance(v, (int, float))}
    return dict(
        experiment=EXPERIMENT,
        max_examples=size,
        variant=variant,
        seed=seed,
        steps=steps,
        extra=extra,
        overrides=VARIANTS[variant],
        metrics=metrics,
        extractor=result.get("extractor_name", result.get("extractor")),
        num_samples=result.get("num_samples"),
        split=result.get("split"),
        ada_p=final_ada_p(workdir),
        workdir=workdir,
        train_wall_s=round(trained - started, 1),
        eval_wall_s=round(time.perf_counter() - trained, 1),
        load_before=round(load, 2),
        load_after=round(os.getloadavg()[0], 2),
        machine=machine.describe(),
    )


def read_records(path: str) -> list[dict]:
    """The run records of a results file (note lines, without "experiment", are skipped)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [r for r in (json.loads(line) for line in f if line.strip()) if "experiment" in r]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--steps", type=int, default=0, help="train.steps (0: the experiment's)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", required=True, help="JSON-lines results file (appended)")
    parser.add_argument("--runs", required=True, help="folder of the run folders")
    parser.add_argument(
        "--clean", action="store_true", help="delete each run folder once its record is written"
    )
    args = parser.parse_args(argv)
    from ganzoo.config import parse_set_flags
    from ganzoo.experiment import get_experiment, load_builtin_experiments

    load_builtin_experiments()
    extra = parse_set_flags(args.set)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; expected some of {', '.join(VARIANTS)}")
    done = {key(r) for r in read_records(args.out)}
    for size in (int(s) for s in args.sizes.split(",")):
        for variant in variants:
            for seed in (int(s) for s in args.seeds.split(",")):
                config = get_experiment(
                    EXPERIMENT, overrides_for(size, variant, seed, args.steps, extra)
                )
                wanted = dict(
                    experiment=EXPERIMENT,
                    max_examples=size,
                    variant=variant,
                    seed=seed,
                    steps=config.train.steps,
                    extra=extra,
                )
                if key(wanted) in done:
                    continue
                record = run_one(config, size, variant, seed, extra, args.runs)
                with open(args.out, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record) + "\n")
                print(json.dumps(record), flush=True)
                if args.clean:
                    shutil.rmtree(record["workdir"], ignore_errors=True)


def _cell(values: list[float]) -> str:
    if not values:
        return "not measured"
    if len(values) == 1:
        return f"{values[0]:.2f} (1 run)"
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f} ({len(values)} runs)"


def fid_table(records, steps: str = "10000", metric: str = "fid") -> str:
    """The markdown table of docs/stabilizers.md: `metric` mean ± sample std over seeds, one
    row per training-set size, one column per variant, for runs of `steps` steps without
    extra overrides; "not measured" where no run is recorded yet."""
    runs = [
        r
        for r in (records or [])
        if "experiment" in r and r["steps"] == int(steps) and not r.get("extra")
    ]
    rows = []
    for size in SIZES:
        row = [f"{size:,}"]
        for variant in VARIANTS:
            values = [
                r["metrics"][metric]
                for r in runs
                if r["max_examples"] == size and r["variant"] == variant and metric in r["metrics"]
            ]
            row.append(_cell(values))
        rows.append(row)
    from docs.tables import markdown_table

    header = ["training images", *(TITLES[v] for v in VARIANTS)]
    table = markdown_table(header, rows)
    machines = sorted({r["machine"]["cpu"] for r in runs if r.get("machine")})
    dates = sorted(r["machine"]["date"][:10] for r in runs if r.get("machine"))
    where = (
        f"{len(runs)} runs, {dates[0]} to {dates[-1]}, on {'; '.join(machines)}."
        if runs
        else "No run recorded yet: every cell is `not measured`."
    )
    return (
        f"{table}\n\n{metric.upper()} of {EXPERIMENT} after {int(steps):,} steps, mean ± std "
        f"over seeds (lower is better). {where}"
    )


if __name__ == "__main__":
    main()
