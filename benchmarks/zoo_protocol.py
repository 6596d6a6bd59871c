"""The zoo under one protocol (#17 point 5): eight GAN objectives on `fashion_mnist_dcgan`'s
networks, 9,375 steps at batch 64 (10 epochs of the 60,000 training images), seeds 0-2, each
scored by the image family's evaluation; one JSON line per run in the results file.

    python -m benchmarks.zoo_protocol                 # trains and scores what the file lacks
    python docs/tables.py docs/results.md             # renders the table from the file

A run whose (objective, seed, steps, extra --set) is in --out is skipped, so the table can be
built over several days; a killed run resumes from its checkpoint in RUNS/<objective>_s<seed>
on the next call (its record then says from which step, and its wall time covers only the
rest). A run that stops with TrainingError (non-finite losses past `train.max_rollbacks`) is
recorded as failed, with the message, and skipped from then on: delete its line to retry it.
Wall time is the training's, in-process; the evaluation's is `eval_s`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time

EXPERIMENT = "fashion_mnist_dcgan"
STEPS = 9_375  # 10 epochs: 10 * 60,000 / 64
SEEDS = (0, 1, 2)
OUT = os.path.join("docs", "results", "zoo_protocol.jsonl")
RUNS = os.path.join("runs", "zoo_protocol")

# Every run: the base experiment as the recipes of experiments/matrix.py train it (a fresh z for
# G's update; fashion_mnist_dcgan alone defaults to reusing the D step's fakes), batch 64.
BASE = {"train.reuse_fake": False, "train.batch_size": 64}

# objective -> the --set overrides of BASE that make it. The settings are the zoo's recipes
# (experiments/matrix.py, `fashion_mnist_<recipe>`; a test holds them equal), the authors'
# published ones; minimax, non-saturating and relativistic average keep the base's Adam 2e-4
# (0.5, 0.999) and one D step.
OBJECTIVES: dict[str, dict] = {
    "minimax": {"model.loss": "minimax"},
    "non_saturating": {"model.loss": "non_saturating"},
    "wgan": {
        "model.loss": "wasserstein",
        "model.d_steps": 5,
        "stabilizers.clip_weights": 0.01,
        "optimizer.d_lr": 5e-5,
        "optimizer.g_lr": 5e-5,
        "optimizer.beta_1": 0.0,
        "optimizer.beta_2": 0.999,
    },
    "wgan_gp": {
        "model.loss": "wasserstein",
        "model.d_steps": 5,
        "stabilizers.penalty": "wgan_gp",
        "stabilizers.penalty_weight": 10.0,
        "optimizer.d_lr": 1e-4,
        "optimizer.g_lr": 1e-4,
        "optimizer.beta_1": 0.5,
        "optimizer.beta_2": 0.9,
    },
    "lsgan": {"model.loss": "least_squares"},
    "dragan": {
        "model.loss": "non_saturating",
        "stabilizers.penalty": "dragan",
        "stabilizers.penalty_weight": 10.0,
        "optimizer.d_lr": 1e-4,
        "optimizer.g_lr": 1e-4,
        "optimizer.beta_1": 0.5,
        "optimizer.beta_2": 0.9,
    },
    "hinge_sn": {"model.loss": "hinge", "model.spectral_norm": True},
    "relativistic_average": {"model.loss": "relativistic_average"},
}

# objective -> the matrix experiment with the same settings (a test compares the configs).
MATRIX_EXPERIMENT = {
    "wgan": "fashion_mnist_wgan",
    "wgan_gp": "fashion_mnist_wgan_gp",
    "lsgan": "fashion_mnist_lsgan",
    "dragan": "fashion_mnist_dragan",
    "hinge_sn": "fashion_mnist_hinge_sngan",
}

# Figures of the family's evaluation, in the record under these names (`classes_covered` and
# `class_kl` come with the class-coverage evaluation; None in records scored before it).
METRICS = ("fid", "score", "precision", "recall", "classes_covered", "class_kl")


def key(record: dict) -> str:
    """What makes two runs the same run: objective, its overrides, seed, steps, extra sets."""
    parts = [record["objective"], record["overrides"], record["seed"], record["steps"]]
    return json.dumps([*parts, record.get("sets") or {}], sort_keys=True)


def overrides_of(objective: str, steps: int, seed: int, sets: dict) -> dict:
    """Every --set of one run, in the order they apply (later ones win)."""
    return {**BASE, **OBJECTIVES[objective], "train.steps": steps, "seed": seed, **sets}


def _checkpoint_step(workdir: str) -> int:
    """The step of the run folder's latest checkpoint (`ckpt-STEP`), 0 without one."""
    import tensorflow as tf

    from ganzoo.workdir import Workdir

    if not os.path.isdir(workdir):
        return 0
    state = tf.train.get_checkpoint_state(Workdir(workdir).checkpoint_dir)
    if not state or not state.model_checkpoint_path:
        return 0
    return int(os.path.basename(state.model_checkpoint_path).rsplit("-", 1)[1])


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_one(objective: str, seed: int, steps: int, sets: dict, runs: str, stream=None) -> dict:
    """Trains (or resumes) one run in RUNS/<objective>_s<seed>, scores it; its record."""
    import keras

    from benchmarks import machine
    from ganzoo import eval_lib, train_lib
    from ganzoo.errors import TrainingError
    from ganzoo.experiment import get_experiment

    workdir = os.path.join(runs, f"{objective}_s{seed}")
    config = get_experiment(EXPERIMENT, overrides_of(objective, steps, seed, sets))
    record = dict(
        objective=objective,
        overrides=OBJECTIVES[objective],
        seed=seed,
        steps=steps,
        sets=sets,
        experiment=EXPERIMENT,
        base=BASE,
        workdir=workdir,
        commit=machine.code_commit(),
        date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        machine=machine.describe(),
        resumed_from_step=_checkpoint_step(workdir),
        load_before=_load(),
    )
    started = time.perf_counter()
    try:
        train_lib.train(config, workdir, stream=stream)
        record.update(wall_s=round(time.perf_counter() - started, 1), load_after=_load())
        started = time.perf_counter()
        result = eval_lib.evaluate_run(workdir, stream=stream)
        record["eval_s"] = round(time.perf_counter() - started, 1)
    except TrainingError as e:
        wall = time.perf_counter() - started
        return {**record, "wall_s": round(wall, 1), "load_after": _load(), "failed": str(e)}
    finally:
        keras.utils.clear_session()  # the next run builds its networks afresh
    metrics = dict(result["metrics"])
    for name in METRICS:
        record[name] = metrics.pop(name, result.get(name))
    record["other_metrics"] = metrics
    record["eval"] = {
        k: result.get(k)
        for k in ("extractor_name", "split", "num_samples", "classifier_test_accuracy", "path")
    }
    return record


def read_records(path: str) -> list[dict]:
    """The records of a results file (none when it does not exist yet)."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objectives", default=",".join(OBJECTIVES), help="comma-separated")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--steps", type=int, default=STEPS, help="generator steps per run")
    parser.add_argument("--out", default=OUT, help="JSON-lines results file (appended)")
    parser.add_argument("--runs", default=RUNS, help="folder of the run folders")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="key=value applied to every run after the objective's (e.g. data.dir=...); "
        "recorded, and part of what makes a run the same run",
    )
    args = parser.parse_args(argv)
    from ganzoo.config import parse_set_flags

    objectives = [o.strip() for o in args.objectives.split(",") if o.strip()]
    unknown = [o for o in objectives if o not in OBJECTIVES]
    if unknown:
        parser.error(f"unknown objective(s) {', '.join(unknown)}; expected {', '.join(OBJECTIVES)}")
    seeds = [int(s) for s in args.seeds.split(",")]
    sets = parse_set_flags(args.set)
    done = {key(r) for r in read_records(args.out)}
    # Seed by seed: every objective gets its first seed before any gets a second.
    for seed in seeds:
        for objective in objectives:
            wanted = dict(
                objective=objective,
                overrides=OBJECTIVES[objective],
                seed=seed,
                steps=args.steps,
                sets=sets,
            )
            if key(wanted) in done:
                continue
            record = run_one(objective, seed, args.steps, sets, args.runs)
            with open(args.out, "a") as f:
                f.write(json.dumps(record) + "\n")
            print(json.dumps({k: record.get(k) for k in ("objective", "seed", *METRICS)}))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
