"""The fortunes measurement of docs/text.md (and its summary in docs/applications.md): collected
from its run folders into docs/results/text_fortunes.json, and rendered as the pages' tables.

    python -m docs.renderers.text runs/text_floor runs/text_wgan_gp runs/text_gumbel \
        --command "$(cat commands.sh)" --load "..." > docs/results/text_fortunes.json

The results file keeps the raw records: each run's config.json, train_log.jsonl and every
eval/step_*.json, the floor's eval/real_*.json and the `--mode=sample` text; the tables are
computed from them here. `baselines` and `baseline_samples` render
docs/results/text_baselines.json (written by `python -m benchmarks.text_baselines`).
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
MARKOV_ORDERS = (2, 3, 4)
# Baseline name -> the row label: real text, unigram text, then the Markov models by order.
BASELINE_LABELS = {
    "real_floor": "real training sequences (floor)",
    "unigram": "unigram-frequency random text",
    **{f"markov{k}": f"{k}-gram Markov on the sequences" for k in MARKOV_ORDERS},
    **{f"markov{k}_packed": f"{k}-gram Markov, documents packed" for k in MARKOV_ORDERS},
}


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
    # Records written since the Markov baselines joined the evaluator carry them too.
    for name, metrics in floor.get("baselines", {}).items():
        if name != "unigram":
            rows.append([f"baseline: {BASELINE_LABELS.get(name, name)}", "", *_fmt(metrics)])
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


def _baseline_names(results: dict) -> list[str]:
    names = results["baselines"]
    return [name for name in BASELINE_LABELS if name in names] + sorted(
        name for name in names if name not in BASELINE_LABELS
    )


def baselines(results: dict) -> str:
    """Each baseline's metrics at the first seed, and the largest change of js_1 .. js_4
    between the seeds (the sampling noise of a figure)."""
    first = str(results["seeds"][0])
    rows = []
    for name in _baseline_names(results):
        record = results["baselines"][name]
        by_seed = record["metrics_by_seed"]
        spread = max(
            max(m[key] for m in by_seed.values()) - min(m[key] for m in by_seed.values())
            for key in JS
        )
        metrics = by_seed[first]
        rows.append(
            [
                f"`{name}`: {BASELINE_LABELS.get(name, name)}",
                *_fmt(metrics),
                f"{metrics['distinct_share']:.3f}",
                f"{record['mean_padding_by_seed'][first]:.1f}",
                f"{spread:.3f}" if name != "real_floor" else "",
            ]
        )
    seeds = ", ".join(str(s) for s in results["seeds"])
    header = [
        f"{results['num_samples']:,} sequences, seed {first}",
        *JS,
        "word_share",
        "mean word length",
        "distinct_share",
        "mean padding",
        f"largest js spread, seeds {seeds}",
    ]
    return markdown_table(header, rows)


def baseline_samples(results: dict) -> str:
    """The kept sequences of each baseline, two baselines side by side per block."""
    names = _baseline_names(results)
    pairs = [names[i : i + 2] for i in range(0, len(names), 2)]
    if len(names) == 8:  # floor and unigram, then each order's two fits side by side
        pairs = [names[:2]] + [[f"markov{k}", f"markov{k}_packed"] for k in MARKOV_ORDERS]
    blocks = []
    for pair in pairs:
        columns = [results["baselines"][name]["samples"] for name in pair]
        width = max(len(t) for t in columns[0]) + 4
        lines = ["".join(name.ljust(width) for name in pair).rstrip()]
        for row in zip(*columns, strict=True):
            lines.append("".join(text.ljust(width) for text in row).rstrip())
        blocks.append("```\n" + "\n".join(lines) + "\n```")
    return "\n\n".join(blocks)


if __name__ == "__main__":
    json.dump(collect(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
