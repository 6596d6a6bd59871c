"""benchmarks/limited_data.py: one record per finished run (trained and evaluated), finished
runs skipped, and the docs table rendered from the records."""

import json
import os

import pytest
from test_eval_lib import write_bars_idx

from benchmarks import limited_data


def test_records_each_run_once_and_skips_finished_ones(tmp_path, capsys):
    data = write_bars_idx(str(tmp_path / "idx"), train=100, test=40)
    out, runs = tmp_path / "limited.jsonl", tmp_path / "runs"
    out.write_text(json.dumps({"note": "a note line is kept and ignored"}) + "\n")
    tiny = {
        "data.dir": data,
        "model.width": 4,
        "model.latent_dim": 8,
        "train.batch_size": 8,
        "train.log_every": 1,
        "train.sample_every": 100,
        "sample.num": 4,
        "sample.cols": 2,
        "eval.num_samples": 40,
        "eval.batch_size": 20,
        "eval.classifier_epochs": 1,
        "eval.cache_dir": str(tmp_path / "cache"),
    }
    sets = [f"--set={k}={v}" for k, v in tiny.items()]
    args = [
        "--sizes=16",
        "--variants=none,ada",
        "--seeds=0",
        "--steps=4",
        f"--out={out}",
        f"--runs={runs}",
        *sets,
    ]
    limited_data.main(args)
    records = limited_data.read_records(str(out))
    assert [r["variant"] for r in records] == ["none", "ada"]
    for r in records:
        assert (r["experiment"], r["max_examples"], r["seed"], r["steps"]) == (
            "fashion_mnist_dcgan",
            16,
            0,
            4,
        )
        assert r["metrics"]["fid"] >= 0 and r["num_samples"] == 40 and r["split"] == "test"
        assert r["extra"]["data.dir"] == data
        assert os.path.exists(os.path.join(r["workdir"], "eval", "step_000004.json"))
    assert records[0]["ada_p"] is None and 0.0 <= records[1]["ada_p"] <= 1.0
    with open(os.path.join(records[1]["workdir"], "config.json")) as f:
        config = json.load(f)
    assert config["stabilizers"]["ada_target"] == 0.6 and config["data"]["max_examples"] == 16
    capsys.readouterr()
    limited_data.main(args)  # everything is done: nothing trained, nothing appended
    assert capsys.readouterr().out == "" and len(out.read_text().splitlines()) == 3
    # Runs with extra overrides (tiny test settings) never reach the docs table.
    assert "No run recorded yet" in limited_data.fid_table(records, "4")


def record(size, variant, seed, fid, steps=10000):
    return dict(
        experiment="fashion_mnist_dcgan",
        max_examples=size,
        variant=variant,
        seed=seed,
        steps=steps,
        extra={},
        metrics={"fid": fid},
        machine={"cpu": "CPU X, 2 logical cores", "date": f"2026-12-0{seed + 1} 10:00 UTC"},
    )


def test_table_is_mean_and_std_over_seeds_and_says_not_measured_elsewhere():
    records = [
        {"note": "ignored"},
        record(1000, "none", 0, 10.0),
        record(1000, "none", 1, 12.0),
        record(1000, "none", 2, 14.0),
        record(1000, "ada", 0, 7.5),
        record(1000, "ada", 1, 8.0, steps=500),  # another length: another table
    ]
    table = limited_data.fid_table(records, "10000")
    lines = table.splitlines()
    assert lines[0] == "| training images | no augmentation | DiffAugment | ADA (target 0.6) |"
    assert lines[2] == "| 1,000 | 12.00 ± 2.00 (3 runs) | not measured | 7.50 (1 run) |"
    assert lines[3] == "| 5,000 | not measured | not measured | not measured |"
    assert "4 runs, 2026-12-01 to 2026-12-03, on CPU X, 2 logical cores." in table
    empty = limited_data.fid_table([], "10000")
    rows = "\n".join(empty.splitlines()[2:4])
    assert rows.count("| not measured") == 6 and "No run recorded yet" in empty


def test_unknown_variant_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        limited_data.main(["--variants=ada,adaa", f"--out={tmp_path}/x", f"--runs={tmp_path}"])
