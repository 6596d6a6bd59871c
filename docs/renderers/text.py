"""The fortunes measurement of docs/text.md (and its summary in docs/applications.md): collected
from its run folders into docs/results/text_fortunes.json, and rendered as the pages' tables.

    python -m docs.renderers.text runs/text_floor runs/text_wgan_gp runs/text_gumbel \
        --command "$(cat commands.sh)" --load "..." > docs/results/text_fortunes.json

The results file keeps the raw records: each run's config.json, train_log.jsonl and every
eval/step_*.json, the floor's eval/real_*.json and the `--mode=sample` text; the tables are
computed from them here.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys

from docs.tables import markdown_table

LABELS = {
    "text_chars_wgan_gp": "softmax WGAN-GP",
    "text_chars_gumbel": "Gumbel-softmax (straight-through)",
}
SHORT = {"text_chars_wgan_gp": "WGAN-GP", "text_chars_gumbel": "Gumbel-softmax"}
JS = ("js_1", "js_2", "js_3", "js_4")


def _read_json(path: str):
    with open(path) as f:
        return json.load(f)


def _read_lines(path: str) -> list[str]:
    with open(path) as f:
        return f.read().split("\n")[:-1]


def _read_jsonl(path: str) -> list:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def collect_run(workdir: str) -> dict:
    """The raw records of one text run folder."""
    evals = sorted(glob.glob(os.path.join(workdir, "eval", "step_*.json")))
    samples = sorted(glob.glob(os.path.join(workdir, "samples", "sample_step*_seed*_n*.txt")))
    config = _read_json(os.path.join(workdir, "config.json"))
    return {
        "workdir": workdir,
        "experiment": config["name"],
        "config": config,
        "train_log": _read_jsonl(os.path.join(workdir, "train_log.jsonl")),
        "evals": [_read_json(path) for path in evals],
        "samples": {os.path.basename(path): _read_lines(path) for path in samples},
    }


def collect(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("floor", help="the --mode=eval_real run folder")
    parser.add_argument("runs", nargs="+", help="the trained run folders")
    parser.add_argument("--command", required=True, help="the commands that made the folders")
    parser.add_argument("--load", required=True, help="load averages seen during the runs")
    parser.add_argument("--wall", default="", help="wall times of the runs")
    args = parser.parse_args(argv)
    from benchmarks import machine

    (floor,) = glob.glob(os.path.join(args.floor, "eval", "real_*.json"))
    return {
        "command": args.command,
        "machine": machine.describe(),
        "load": args.load,
        "wall": args.wall,
        "floor": _read_json(floor),
        "runs": [collect_run(workdir) for workdir in args.runs],
    }


def _fmt(metrics: dict) -> list[str]:
    return [f"{metrics[k]:.3f}" for k in (*JS, "word_share")] + [
        f"{metrics['mean_word_length']:.2f}"
    ]


def measured(results: dict) -> str:
    """Every eval of every run, beside the real-data floor and the unigram baseline."""
    floor = results["floor"]
    rows = [
        [f"floor: {floor['num_samples']:,} real training sequences", "", *_fmt(floor["metrics"])],
        ["baseline: unigram-frequency random text", "", *_fmt(floor["unigram_baseline"])],
    ]
    for run in results["runs"]:
        for i, record in enumerate(run["evals"]):
            label = LABELS.get(run["experiment"], run["experiment"]) if i == 0 else ""
            rows.append([label, record["step"], *_fmt(record["metrics"])])
    header = ["", "G steps", *JS, "word_share", "mean word length"]
    return markdown_table(header, rows)


def summary(results: dict) -> str:
    """The floor, the baseline and each run's last eval: js_1, js_4, word_share."""
    floor = results["floor"]
    n = floor["num_samples"]

    def cells(metrics):
        return [f"{metrics['js_1']:.3f}", f"{metrics['js_4']:.3f}", f"{metrics['word_share']:.3f}"]

    rows = [
        ["real training text (floor)", *cells(floor["metrics"])],
        ["unigram-frequency random text (baseline)", *cells(floor["unigram_baseline"])],
    ]
    for run in results["runs"]:
        last = run["evals"][-1]
        label = SHORT.get(run["experiment"], run["experiment"])
        rows.append([f"{label}, {last['step']} G steps", *cells(last["metrics"])])
    header = [
        f"32-character sequences, {n:,} scored",
        "JS 1-gram",
        "JS 4-gram",
        "words in vocabulary",
    ]
    return markdown_table(header, rows)


if __name__ == "__main__":
    json.dump(collect(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
