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
