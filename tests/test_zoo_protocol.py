"""benchmarks/zoo_protocol.py and its table (docs/renderers/zoo_protocol.py): the objectives'
settings, a tiny run recorded once and resumed, and the table's mean ± std by hand."""

import json
import math

import numpy as np
import pytest
from test_eval_lib import write_bars_idx

from benchmarks import zoo_protocol
from docs.renderers import zoo_protocol as table
from ganzoo import config as config_lib
from ganzoo.experiment import get_experiment

TINY = [
    "model.width=4",
    "model.latent_dim=8",
    "train.batch_size=8",
    "train.log_every=2",
    "train.sample_every=2",
    "train.checkpoint_every=2",
    "sample.num=4",
    "sample.cols=2",
    "data.shuffle_buffer=32",
    "eval.num_samples=40",
    "eval.batch_size=16",
    "eval.classifier_epochs=1",
]


def _flat(config):
    flat = config_lib.flat_keys(config)
    return {k: v for k, v in flat.items() if k not in ("name", "description")}


@pytest.mark.parametrize("objective", sorted(zoo_protocol.OBJECTIVES))
def test_each_objective_is_the_base_plus_its_overrides(objective):
    overrides = zoo_protocol.overrides_of(objective, zoo_protocol.STEPS, 1, {})
    config = _flat(get_experiment(zoo_protocol.EXPERIMENT, overrides))
    base = _flat(get_experiment(zoo_protocol.EXPERIMENT))
    changed = {k for k in config if config[k] != base[k]}
    # The networks and data are the base's; only the objective's keys, steps and seed move.
    assert not any(
        k.startswith(("model.arch", "model.width", "model.latent_dim", "data.")) for k in changed
    )
    assert changed <= {
        *zoo_protocol.OBJECTIVES[objective],
        *zoo_protocol.BASE,
        "train.steps",
        "seed",
    }
    assert config["train.steps"] == 9375 and config["train.batch_size"] == 64
    assert config["train.reuse_fake"] is False
    matrix = zoo_protocol.MATRIX_EXPERIMENT.get(objective)
    if matrix:  # the zoo's published recipe of the same objective, key for key
        recipe = _flat(get_experiment(matrix, {"train.steps": 9375, "seed": 1}))
        assert config == recipe


def _run(tmp_path, bars, *extra):
    args = [
        f"--out={tmp_path / 'protocol.jsonl'}",
        f"--runs={tmp_path / 'runs'}",
        "--seeds=0",
        f"--set=data.dir={bars}",
        f"--set=eval.cache_dir={tmp_path / 'cache'}",
        *(f"--set={s}" for s in TINY),
        *extra,
    ]
    zoo_protocol.main(args)
    return [json.loads(line) for line in (tmp_path / "protocol.jsonl").read_text().splitlines()]


def test_a_run_is_recorded_once_and_a_longer_one_resumes_its_folder(tmp_path, capsys):
    (tmp_path / "idx").mkdir()
    bars = write_bars_idx(str(tmp_path / "idx"))
    records = _run(tmp_path, bars, "--objectives=relativistic_average", "--steps=2")
    assert len(records) == 1
    r = records[0]
    assert (r["objective"], r["seed"], r["steps"], r["resumed_from_step"]) == (
        "relativistic_average",
        0,
        2,
        0,
    )
    assert r["overrides"] == {"model.loss": "relativistic_average"}
    assert r["sets"]["data.dir"] == bars and r["sets"]["model.width"] == "4"
    assert r["wall_s"] > 0 and len(r["load_before"]) == len(r["load_after"]) == 3
    assert r["commit"] and r["eval"]["num_samples"] == 40
    assert r["eval"]["extractor_name"] == "classifier:fashion_mnist"
    assert math.isfinite(r["fid"]) and 1 <= r["score"] <= 10
    assert 0 <= r["precision"] <= 1 and 0 <= r["recall"] <= 1
    assert {"classes_covered", "class_kl"} <= set(r)  # None until the eval reports them
    assert (tmp_path / "runs" / "relativistic_average_s0" / "eval" / "step_000002.json").exists()

    capsys.readouterr()
    again = _run(tmp_path, bars, "--objectives=relativistic_average", "--steps=2")
    assert again == records and capsys.readouterr().out == ""  # nothing trained or appended

    # Another step count is another run: it continues the folder's step-2 checkpoint.
    longer = _run(tmp_path, bars, "--objectives=relativistic_average", "--steps=4")
    assert len(longer) == 2 and (longer[1]["steps"], longer[1]["resumed_from_step"]) == (4, 2)


def test_unknown_objective_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        zoo_protocol.main(["--objectives=wgan,hinge", f"--out={tmp_path / 'x.jsonl'}"])
    assert not (tmp_path / "x.jsonl").exists()


def _record(objective, seed, fid, **extra):
    return {
        "objective": objective,
        "overrides": zoo_protocol.OBJECTIVES[objective],
        "seed": seed,
        "steps": zoo_protocol.STEPS,
        "sets": {},
        "commit": "abc1234",
        "date": f"2026-12-0{seed + 6}T10:00:00+00:00",
        "machine": {"cpu": "AMD EPYC, 2 logical cores", "gpu": "none"},
        "resumed_from_step": 0,
        "load_before": [2.0, 2.0, 2.0],
        "load_after": [3.5, 2.0, 2.0],
        "wall_s": 600.0 * (seed + 1),
        "fid": fid,
        "score": 8.0 + seed,
        "precision": 0.5,
        "recall": 0.1 * (seed + 1),
        "classes_covered": None,
        "class_kl": None,
        **extra,
    }


def _row(text, objective):
    return next(line for line in text.splitlines() if line.startswith(f"| `{objective}` |"))


def test_table_mean_and_sample_std_by_hand():
    records = [
        _record("non_saturating", 0, 10.0, classes_covered=10),
        _record("non_saturating", 1, 12.0, classes_covered=9),
        _record("non_saturating", 2, 17.0),
        _record("wgan", 0, 40.0),
        {**_record("minimax", 1, None), "failed": "non-finite d_loss at step 812"},
        {**_record("lsgan", 0, 5.0), "steps": 100},  # other settings: not in the table
        _record("dragan", 0, 30.0, resumed_from_step=4000),
    ]
    text = table.zoo_protocol_table(records)
    cells = [c.strip() for c in _row(text, "non_saturating").split("|")[1:-1]]
    # FID 10, 12, 17: mean 13, sample variance (9 + 1 + 16) / 2 = 13, std sqrt(13) = 3.606.
    assert cells[2] == "0, 1, 2 (3 of 3)" and cells[3] == "13.00 ± 3.61"
    # score 8, 9, 10: mean 9, std 1; recall 0.1, 0.2, 0.3: mean 0.2, std 0.1.
    assert cells[4] == "9.00 ± 1.00" and cells[5] == "0.500 ± 0.000" and cells[6] == "0.200 ± 0.100"
    # classes covered 10 and 9 (the third run has none): 9.5 ± 0.707, 2 of 3.
    assert cells[7] == "9.5 ± 0.7 (2 of 3)" and cells[8] == "—"
    # wall 10, 20, 30 min: 20 ± 10.
    assert cells[9] == "20.0 ± 10.0" and cells[10] == "NS GAN 26.5 ± 1.6"
    wgan = [c.strip() for c in _row(text, "wgan").split("|")[1:-1]]
    assert wgan[2] == "0 (1 of 3)" and wgan[3] == "40.00" and wgan[10] == "WGAN 21.5 ± 1.6"
    assert "not measured (0 of 3); failed: 1" in _row(text, "minimax")
    assert "Failed runs: `minimax` seed 1: non-finite d_loss at step 812." in text
    assert "not measured (0 of 3)" in _row(text, "lsgan")
    assert "— (not in the study)" in _row(text, "relativistic_average")
    dragan = [c.strip() for c in _row(text, "dragan").split("|")[1:-1]]
    assert dragan[3] == "30.00" and dragan[9] == "—"  # a resumed run's wall time is partial
    assert text.startswith("6 of 24 runs recorded (1 failed), 2026-12-06 to 2026-12-08")
    assert "1 record(s) of the file ran other settings" in text


def test_table_before_any_run_says_not_measured():
    text = table.zoo_protocol_table([])
    assert text.startswith("No run measured yet (0 of 24)")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 8 and all("not measured (0 of 3)" in row for row in rows)
    assert np.isclose(table.mean_std([1.0, 2.0, 3.0])[1], 1.0)
