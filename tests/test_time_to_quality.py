"""The time-to-quality harness (benchmarks/time_to_quality.py) on tiny runs and hand-made
records, and the TensorFlow tutorial's networks (benchmarks/tf_tutorial_dcgan.py)."""

import json

import numpy as np
import pytest
from test_eval_lib import write_bars_idx

from benchmarks import tf_tutorial_dcgan
from benchmarks import time_to_quality as ttq


def test_tutorial_networks_have_the_tutorials_shapes_and_parameter_counts():
    """The counts of the tutorial's model.summary(): G 2,330,944 (2,305,472 trainable, the
    rest batch-norm statistics), D 212,865."""
    g, d = tf_tutorial_dcgan.generator(), tf_tutorial_dcgan.discriminator()
    assert g.input_shape == (None, 100) and g.output_shape == (None, 28, 28, 1)
    assert d.input_shape == (None, 28, 28, 1) and d.output_shape == (None, 1)
    assert g.count_params() == 2_330_944
    assert sum(int(np.prod(w.shape)) for w in g.trainable_weights) == 2_305_472
    assert d.count_params() == 212_865
    assert not any(getattr(layer, "use_bias", False) for layer in g.layers)
    assert tf_tutorial_dcgan.STEPS == 50 * 235


class FakeTime:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_clock_counts_training_time_only_and_schedules_evaluations():
    now = FakeTime()
    clock = ttq.TrainClock(every_s=10, budget_s=35, now=now)
    clock.start()
    events = []
    for step_s in (4, 4, 4, 15, 4, 4, 4):
        now.t += step_s
        event = clock.tick()
        events.append((event, clock.train_s, clock.due_s if event == "eval" else None))
        if event == "eval":
            now.t += 100  # an evaluation: not training time
            clock.resume()
    assert events == [
        (None, 4, None),
        (None, 8, None),
        ("eval", 12, 10),
        ("eval", 27, 20),  # one evaluation for the long step, due at 20; 30 is the next slot
        ("eval", 31, 30),
        ("budget", 35, None),
        ("budget", 39, None),
    ]


@pytest.fixture(scope="module")
def tiny_args(tmp_path_factory):
    root = tmp_path_factory.mktemp("ttq")
    sets = {
        "data.dir": write_bars_idx(str(root)),
        "data.shuffle_buffer": 32,
        "eval.cache_dir": str(root / "cache"),
        "eval.num_samples": 20,
        "eval.batch_size": 10,
        "eval.classifier_epochs": 1,
        "train.batch_size": 4,
        "train.steps": 3,
        "model.width": 4,
    }
    out = root / "ttq.jsonl"
    out.write_text(json.dumps({"note": "a note line is kept and ignored"}) + "\n")
    args = [f"--out={out}", "--isolate=false", "--eval_every_s=1e-6", "--budget_s=600"]
    return out, args + [f"--set={k}={v}" for k, v in sets.items()], root


def test_tiny_run_records_every_evaluation_and_skips_finished_recipes(tiny_args, capsys):
    out, args, root = tiny_args
    ttq.main(args + [f"--plot={root / 'plot.png'}"])
    printed = capsys.readouterr().out
    recipes = ["fashion_mnist_dcgan", "tf_tutorial"]
    if ttq.registered("fashion_mnist_best"):
        recipes.insert(1, "fashion_mnist_best")
    else:
        assert "Skipping fashion_mnist_best: no such experiment is registered." in printed
    records = ttq.load_records(str(out))
    assert [r["recipe"] for r in records] == [name for name in recipes for _ in range(4)]
    for name in recipes:
        evals = [r for r in records if r["recipe"] == name]
        # Before the first step, after steps 1 and 2 (due every 1e-6 s), and the final one at
        # step 3 (the run's length), which replaces the periodic one there.
        assert [r["step"] for r in evals] == [0, 1, 2, 3]
        assert [r.get("final", False) for r in evals] == [False, False, False, True]
        assert evals[-1]["end"] == "steps" and evals[0]["train_wall_s"] == 0.0
        walls = [r["train_wall_s"] for r in evals]
        assert walls == sorted(walls) and walls[-1] > 0
        for r in evals:
            assert np.isfinite(r["fid"]) and r["score"] >= 1.0 and r["load"] >= 0
            assert r["batch"] == 4 and r["images"] == 4 * r["step"] and r["commit"]
            assert r["num_samples"] == 20 and r["date"] and r["run"]
    tutorial = [r for r in records if r["recipe"] == "tf_tutorial"]
    assert tutorial[0]["steps"] == 3  # --set applies to the tutorial's length too
    assert (root / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    ttq.main(args)  # everything finished: nothing trained, nothing appended
    printed = capsys.readouterr().out
    assert "Skipping fashion_mnist_dcgan: a finished run is in" in printed
    assert len(ttq.load_records(str(out))) == len(records)


def test_budget_stops_training_and_an_unfinished_run_is_run_again(tiny_args, tmp_path):
    """In a process of its own (--isolate), as the measurement runs each recipe."""
    _, args, _ = tiny_args
    out = tmp_path / "budget.jsonl"
    keep = [a for a in args if a.startswith("--set")]
    unfinished = dict(recipe="tf_tutorial", run="2000-01-01T00:00:00+00:00", step=0, fid=1.0)
    out.write_text(json.dumps({**unfinished, "train_wall_s": 0.0}) + "\n")
    flags = ["--recipes=tf_tutorial", "--budget_s=0", "--eval_every_s=0", "--isolate=true"]
    ttq.main(keep + flags + [f"--out={out}"])
    records = ttq.load_records(str(out))
    runs = ttq.finished_runs(records)
    assert len(records) == 3 and list(runs) == ["tf_tutorial"]
    final = runs["tf_tutorial"]
    assert [r["step"] for r in final] == [0, 1] and final[-1]["end"] == "budget"


def rec(recipe, t, fid, step, final=False, run="2026-12-06T10:00:00+00:00", **extra):
    out = dict(recipe=recipe, run=run, step=step, images=step * 64, train_wall_s=t, due_s=t,
               fid=fid, score=7.0, batch=64, eval_every_s=60, load=2.0, commit="abc1234",
               **extra)  # fmt: skip
    if final:
        out.update(final=True, end="budget", due_s=None)
    return out


def curves(ganzoo_fids=(40, 20, 9, 5), tutorial_fids=(40, 30, 20, 10)):
    rows = []
    for i, fid in enumerate(ganzoo_fids):
        rows.append(rec("fashion_mnist_dcgan", 60.0 * i, fid, 300 * i, final=i == 3))
    for i, fid in enumerate(tutorial_fids):
        rows.append(rec("tf_tutorial", 60.0 * i, fid, 50 * i, final=i == 3))
    return rows


def test_time_to_reach_the_tutorials_final_fid():
    t = ttq.time_to_reach(curves())
    assert t["target_fid"] == 10 and t["target_s"] == 180.0
    assert t["reached_s"] == 120.0 and t["step"] == 600
    assert t["ratio"] == pytest.approx(2 / 3) and not t["met"]
    fast = ttq.time_to_reach(curves(ganzoo_fids=(40, 9, 8, 5)))
    assert fast["reached_s"] == 60.0 and fast["ratio"] == pytest.approx(1 / 3) and fast["met"]
    never = ttq.time_to_reach(curves(ganzoo_fids=(40, 30, 20, 11)))
    assert never["reached_s"] is None and never["ratio"] is None and not never["met"]
    assert ttq.time_to_reach(curves()[:4]) is None  # no tutorial run yet


def test_unfinished_and_older_runs_are_left_out():
    older = [rec("tf_tutorial", 0.0, 1.0, 0, run="2026-12-01T00:00:00+00:00", final=True)]
    unfinished = [rec("tf_tutorial", 0.0, 0.5, 0, run="2026-12-09T00:00:00+00:00")]
    runs = ttq.finished_runs(older + curves() + unfinished + [{"note": "x"}])
    assert [r["fid"] for r in runs["tf_tutorial"]] == [40, 30, 20, 10]


def test_table_renders_each_recipe_and_the_time_to_reach_line():
    text = ttq.table(curves(), "fashion_mnist_dcgan", "fashion_mnist_best", "tf_tutorial")
    lines = text.splitlines()
    assert lines[0].startswith("| recipe | steps |")
    dcgan, best, tutorial = lines[2:5]
    assert "`fashion_mnist_dcgan` (batch 64, abc1234)" in dcgan and "900 (57,600 images)" in dcgan
    assert "180 s (budget)" in dcgan and "40.00 → **5.00**" in dcgan and "2.0–2.0" in dcgan
    assert "not measured yet" in best and "10.00" in tutorial
    assert lines[-1] == (
        "- `fashion_mnist_dcgan` reached `tf_tutorial`'s final FID (10.00 after 180 s) at the "
        "evaluation after 120 s of training (step 600): **0.67x** `tf_tutorial`'s time "
        "(target 0.5x or less: **not met**)."
    )
    never = ttq.table(curves(ganzoo_fids=(40, 30, 20, 11)))
    assert "did not reach" in never and "(best FID 11.00)" in never


def test_curve_table_lists_the_plotted_points():
    lines = ttq.curve_table(curves()).splitlines()
    assert lines[0] == "| training time | `fashion_mnist_dcgan` FID | `tf_tutorial` FID |"
    assert lines[2] == "| 0 s | 40.00 (step 0) | 40.00 (step 0) |"
    assert lines[-1] == "| end | 5.00 (step 900, 180 s) | 10.00 (step 150, 180 s) |"


def test_plot_writes_a_png_with_a_line_per_recipe(tmp_path):
    from PIL import Image

    path = ttq.plot(curves(), str(tmp_path / "ttq.png"))
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == (900, 560)
        pixels = np.asarray(img.convert("RGB")).reshape(-1, 3)
    colours = {tuple(p) for p in pixels}
    assert ttq.COLOURS[0] in colours and ttq.COLOURS[1] in colours
    with pytest.raises(ValueError, match="no finished run"):
        ttq.plot([], str(tmp_path / "none.png"))
