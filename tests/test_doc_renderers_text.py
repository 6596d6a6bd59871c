"""docs/renderers/text.py: collecting text run folders into a results file, and its tables."""

from __future__ import annotations

import json

from docs.renderers import text

METRICS = ("js_1", "js_2", "js_3", "js_4", "word_share", "mean_word_length")


def _metrics(value: float) -> dict:
    return {key: value for key in METRICS}


def _run(tmp_path, name: str, steps: list[int]) -> str:
    workdir = tmp_path / name
    (workdir / "eval").mkdir(parents=True)
    (workdir / "samples").mkdir()
    (workdir / "config.json").write_text(json.dumps({"name": name}))
    (workdir / "train_log.jsonl").write_text('{"step": 50, "d_loss": -1.5}\n')
    for step in steps:
        record = {"step": step, "metrics": _metrics(step / 1000)}
        (workdir / "eval" / f"step_{step:06d}.json").write_text(json.dumps(record))
    (workdir / "eval" / "best.json").write_text("{}")  # not a step record: left out
    (workdir / "samples" / "sample_step000200_seed0_n2.txt").write_text("ab  \ncd  \n")
    return str(workdir)


def test_collect_keeps_the_raw_records_and_the_tables_come_from_them(tmp_path):
    floor = tmp_path / "floor" / "eval"
    floor.mkdir(parents=True)
    record = {"num_samples": 2000, "metrics": _metrics(0.0), "unigram_baseline": _metrics(0.5)}
    (floor / "real_train_vs_test_n2000.json").write_text(json.dumps(record))
    wgan = _run(tmp_path, "text_chars_wgan_gp", [200, 100])
    results = text.collect(
        [str(tmp_path / "floor"), wgan, "--command", "python -m ganzoo.run ...", "--load", "2.0"]
    )
    (run,) = results["runs"]
    assert [r["step"] for r in run["evals"]] == [100, 200]
    assert run["train_log"] == [{"step": 50, "d_loss": -1.5}]
    assert run["samples"] == {"sample_step000200_seed0_n2.txt": ["ab  ", "cd  "]}
    assert results["command"] == "python -m ganzoo.run ..." and "cpu" in results["machine"]

    measured = text.measured(results).split("\n")
    assert measured[2] == (
        "| floor: 2,000 real training sequences |  | 0.000 | 0.000 | 0.000 | 0.000 | 0.000 | 0.00 |"
    )
    assert measured[4].startswith("| softmax WGAN-GP | 100 | 0.100 |")
    assert measured[5].startswith("|  | 200 | 0.200 |")
    summary = text.summary(results).split("\n")
    assert summary[0].startswith("| 32-character sequences, 2,000 scored |")
    assert summary[-1] == "| WGAN-GP, 200 G steps | 0.200 | 0.200 | 0.200 |"


def _baseline_results() -> dict:
    names = ["real_floor", "unigram", "markov2", "markov3", "markov4"]
    names += [f"markov{k}_packed" for k in (2, 3, 4)]
    baselines = {}
    for i, name in enumerate(names):
        by_seed = {"0": _metrics(i / 10), "1": {**_metrics(i / 10), "js_3": i / 10 + 0.004}}
        for metrics in by_seed.values():
            metrics["distinct_share"] = 1.0
        samples = [f"{name[:6]:<6}{j:02d}" for j in range(3)]
        padding = {"0": 2.5, "1": 3.0}
        baselines[name] = {
            "metrics_by_seed": by_seed,
            "samples": samples,
            "mean_padding_by_seed": padding,
        }
    return {"seeds": [0, 1], "num_samples": 2000, "baselines": baselines}


def test_baselines_table_and_samples():
    table = text.baselines(_baseline_results()).split("\n")
    assert table[0].startswith("| 2,000 sequences, seed 0 | js_1 |")
    assert table[0].endswith("| largest js spread, seeds 0, 1 |")
    # Rows in a fixed order: floor, unigram, the sequence models, the packed models.
    assert table[2] == (
        "| `real_floor`: real training sequences (floor) | 0.000 | 0.000 | 0.000 | 0.000 "
        "| 0.000 | 0.00 | 1.000 | 2.5 |  |"
    )
    assert table[4].startswith("| `markov2`: 2-gram Markov on the sequences | 0.200 |")
    assert table[4].endswith("| 1.000 | 2.5 | 0.004 |")
    assert table[9].startswith("| `markov4_packed`: 4-gram Markov, documents packed | 0.700 |")
    blocks = text.baseline_samples(_baseline_results()).split("\n\n")
    assert len(blocks) == 4
    assert blocks[1].split("\n")[:3] == [
        "```",
        "markov2     markov2_packed",  # columns 4 wider than the longest sample
        "markov00    markov00",
    ]


def test_measured_shows_the_markov_baselines_a_floor_record_carries(tmp_path):
    floor = tmp_path / "floor" / "eval"
    floor.mkdir(parents=True)
    record = {
        "num_samples": 2000,
        "metrics": _metrics(0.0),
        "unigram_baseline": _metrics(0.5),
        "baselines": {"unigram": _metrics(0.5), "markov4": _metrics(0.25)},
    }
    (floor / "real_train_vs_test_n2000.json").write_text(json.dumps(record))
    wgan = _run(tmp_path, "text_chars_wgan_gp", [100])
    results = text.collect([str(tmp_path / "floor"), wgan, "--command", "c", "--load", "1"])
    measured = text.measured(results).split("\n")
    assert measured[4].startswith("| baseline: 4-gram Markov on the sequences |  | 0.250 |")
    assert measured[5].startswith("| softmax WGAN-GP | 100 | 0.100 |")
