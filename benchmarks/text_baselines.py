"""The text baselines a character GAN is read against (docs/text.md): the real-data floor,
unigram-frequency text and character n-gram Markov models of order 2 to 4, fitted on the
training split and scored by the text family's own evaluator metrics, for several seeds.

    python -m benchmarks.text_baselines --out=docs/results/text_baselines.json

Defaults: experiment text_chars_wgan_gp (Debian's fortunes, 32 characters, words packing),
2,000 sequences per baseline scored against the whole held-out split, seeds 0, 1, 2; each
baseline keeps its first NUM_SHOWN sequences of the first seed. The first seed's figures are
exactly those a GAN's eval record carries under `baselines` (same config.seed, same count).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time

from ganzoo.experiment import get_experiment
from ganzoo.families.text import baselines as text_baselines
from ganzoo.families.text import data as text_data

NUM_SHOWN = 20


def mean_padding(texts) -> float:
    """Mean count of trailing spaces (the padding) per sequence."""
    return sum(len(t) - len(t.rstrip(text_data.PAD)) for t in texts) / len(texts)


def measure(experiment: str, num_samples: int, seeds: list[int], overrides: dict) -> dict:
    """{real_floor, unigram, markov2, ...} -> {metrics_by_seed, samples, backoff_chars, ...}."""
    configs = [
        get_experiment(experiment, {**overrides, "eval.num_samples": num_samples, "seed": seed})
        for seed in seeds
    ]
    first = configs[0]
    started = time.perf_counter()
    by_seed = []
    for config in configs:
        by_seed.append(text_baselines.baseline_records(config))
    seconds = time.perf_counter() - started
    baselines = {}
    for name in by_seed[0]:
        records = {str(seed): records[name] for seed, records in zip(seeds, by_seed, strict=True)}
        first_texts = by_seed[0][name]["texts"]
        baselines[name] = {
            "metrics_by_seed": {s: r["metrics"] for s, r in records.items()},
            "backoff_chars_by_seed": {s: r["backoff_chars"] for s, r in records.items()},
            "mean_padding_by_seed": {s: mean_padding(r["texts"]) for s, r in records.items()},
            "num_samples": len(first_texts),
            "samples": first_texts[:NUM_SHOWN],
        }
    return {
        "experiment": experiment,
        "overrides": overrides,
        "seeds": seeds,
        "num_samples": num_samples,
        "train_count": len(text_data.load_corpus(first, "train").texts),
        "reference_count": len(text_data.load_corpus(first, first.eval.split).texts),
        "vocab": text_data.resolve_vocab(first),
        "sections": {k: first.to_dict()[k] for k in ("data", "text", "eval")},
        "seconds": round(seconds, 1),
        "baselines": baselines,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--experiment", default="text_chars_wgan_gp")
    parser.add_argument("--num_samples", type=int, default=2000)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--set", action="append", default=[], help="key=value config overrides")
    parser.add_argument("--out", required=True, help="results file (JSON)")
    args = parser.parse_args(argv)
    from benchmarks import machine

    overrides = dict(item.split("=", 1) for item in args.set)
    load_before = machine.load_average()
    results = measure(
        args.experiment, args.num_samples, [int(s) for s in args.seeds.split(",")], overrides
    )
    argv = sys.argv[1:] if argv is None else argv
    results.update(
        command=shlex.join(["python", "-m", "benchmarks.text_baselines", *argv]),
        machine=machine.describe(),
        load=f"1/5/15-minute load average {load_before} before, {machine.load_average()} after",
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {args.out} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
