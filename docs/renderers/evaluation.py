"""docs/evaluation.md's memorisation and class-coverage floors on real Fashion-MNIST: measured
by this module, rendered from its results file.

    python -m docs.renderers.evaluation --cache=/tmp/floor_cache --workdir=/tmp/floor \
        --out=docs/results/memorisation_floor_fashion_mnist.json

Trains the domain classifier into --cache (unless one is there) and runs
`python -m ganzoo.run --mode=eval_real --experiment=fashion_mnist_dcgan`: 10,000 real training
images scored as if generated against the 10,000 test images, with the memorisation check.
Each call appends one record to --out; `floor_table` renders them.
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

EXPERIMENT = "fashion_mnist_dcgan"


def _run(args: list[str]) -> float:
    """Runs `python -m ganzoo.run ARGS`; its wall time in seconds."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "ganzoo.run", *args]
    subprocess.run(command, check=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    return time.perf_counter() - start


def measure(cache: str, workdir: str) -> dict:
    """The record: the eval_real result, the classifier's metadata, machine, load, times."""
    from benchmarks import machine
    from ganzoo.metrics import classifier as classifier_lib

    common = [f"--experiment={EXPERIMENT}", f"--set=eval.cache_dir={cache}"]
    directory = classifier_lib.classifier_dir(cache, "fashion_mnist")
    if classifier_lib.read_metadata(directory) is None:
        _run(["--mode=train_classifier", *common])
    load_before = machine.load_average()
    wall = _run(["--mode=eval_real", *common, f"--workdir={workdir}"])
    load_after = machine.load_average()
    with open(os.path.join(workdir, "eval", "real_train_vs_test_n10000.json")) as f:
        result = json.load(f)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "command": f"python -m ganzoo.run --mode=eval_real --experiment={EXPERIMENT}",
        "commit": commit,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "load_before": load_before,
        "load_after": load_after,
        "wall_s": round(wall, 1),
        "classifier": classifier_lib.read_metadata(directory),
        "result": result,
    }


def floor_table(results: dict) -> str:
    """Two rows per record: real training images scored as if generated (a generator that
    copies its training set), and real test images against the training set (the floor)."""
    rows = []
    for r in results["runs"]:
        m = r["result"]["metrics"]
        when = f"{r['date'][:10]}, {r['commit']}"
        rows.append(
            [
                f"10,000 real training images as samples ({when})",
                f"{m['classes_covered']} / {m['num_classes']}",
                f"{m['class_kl']:.4f}",
                f"{m['nn_feature_distance_mean']:.2f}",
                f"{m['nn_pixel_distance_mean']:.2f}",
                f"{m['fid']:.3f}",
                f"{m['fid_train']:.3f}",
                f"{m['fid_gap']:.3f}",
            ]
        )
        rows.append(
            [
                f"10,000 real test images: the floor ({when})",
                "",
                "",
                f"{m['nn_feature_distance_real_mean']:.2f}",
                f"{m['nn_pixel_distance_real_mean']:.2f}",
                "",
                "",
                "",
            ]
        )
    header = [
        "images scored",
        "classes covered",
        "class_kl",
        "nearest training image, features",
        "nearest training image, pixels",
        "FID (test)",
        "FID (train)",
        "fid_gap",
    ]
    return markdown_table(header, rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", required=True, help="eval.cache_dir: classifier and stats")
    parser.add_argument("--workdir", required=True, help="where eval_real writes its result")
    parser.add_argument("--out", default="docs/results/memorisation_floor_fashion_mnist.json")
    args = parser.parse_args(argv)
    results = {"command": "python -m docs.renderers.evaluation " + " ".join(argv or sys.argv[1:])}
    if os.path.exists(args.out):
        with open(args.out) as f:
            results = json.load(f)
    results.setdefault("runs", []).append(measure(args.cache, args.workdir))
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    print(floor_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
