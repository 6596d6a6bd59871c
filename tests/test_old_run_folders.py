"""Run folders written by an older ganzoo still resume, sample and export with today's code.

tests/fixtures/runs_f19f832/ holds run folders that the code of commit f19f832 wrote (before
the model families moved into ganzoo/families/; tests/fixtures/make_runs_f19f832.sh made them):
4 steps of width-16 MLP GANs on ring8, checkpoints at steps 2 and 4. Each test works on a copy.
Beside each folder, <name>.expected.npz holds fixed generator inputs and the points that
f19f832's export of the step-4 checkpoint made of them: today's export must give the same.
"""

import json
import os
import shutil

import numpy as np
import pytest
from cli_runner import cli

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "runs_f19f832")
RUNS = sorted(name for name in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, name)))
SAVED_STEP = 4  # the fixtures' train.steps: their latest checkpoint


def test_the_fixtures_are_there():
    # A conditional run and an InfoGAN run beside the plain one: their checkpoints hold more.
    assert {"ring8_gan", "ring8_cgan", "ring8_acgan", "ring8_infogan"} <= set(RUNS)


@pytest.fixture(params=RUNS)
def run_copy(request, tmp_path):
    """A copy of one fixture run folder (the committed one stays as it is)."""
    path = str(tmp_path / request.param)
    shutil.copytree(os.path.join(FIXTURES, request.param), path)
    return path


def _logged_steps(workdir: str) -> list[int]:
    with open(os.path.join(workdir, "train_log.jsonl"), encoding="utf-8") as f:
        return [json.loads(line)["step"] for line in f if line.strip()]


def test_resumes_training_from_its_checkpoint(run_copy, capsys):
    from ganzoo import config as config_lib
    from ganzoo import train_lib
    from ganzoo.experiment import validate

    with open(os.path.join(run_copy, "config.json"), encoding="utf-8") as f:
        saved = config_lib.from_json(f.read())
    assert saved.train.steps == SAVED_STEP
    config = validate(config_lib.apply_overrides(saved, {"train.steps": 6}))
    assert _logged_steps(run_copy) == [2, 4]

    train_lib.train(config, run_copy)

    out = capsys.readouterr().out
    assert f"Resuming {saved.name} at step {SAVED_STEP} of 6" in out, out
    assert "step 6/6" in out, out
    # The log goes on from step 4: training did not start again at 0.
    assert _logged_steps(run_copy) == [2, 4, 6]
    checkpoints = os.listdir(os.path.join(run_copy, "checkpoints"))
    assert any(name.startswith("ckpt-6.") for name in checkpoints), checkpoints
    with open(os.path.join(run_copy, "config.json"), encoding="utf-8") as f:
        assert json.load(f)["train"]["steps"] == 6


def test_samples(run_copy, capsys):
    before = set(os.listdir(os.path.join(run_copy, "samples")))
    assert cli("--mode=sample", f"--workdir={run_copy}", "--set=sample.num=24") == 0
    out = capsys.readouterr().out
    assert f"from step {SAVED_STEP}" in out, out
    new = sorted(set(os.listdir(os.path.join(run_copy, "samples"))) - before)
    assert any(name.endswith(".png") for name in new), new
    [npy] = [n for n in new if n.endswith(".npy") and not n.endswith("_labels.npy")]
    points = np.load(os.path.join(run_copy, "samples", npy))
    assert points.ndim == 2 and points.shape[1] == 2 and len(points) > 0, points.shape
    assert np.isfinite(points).all()


def test_exports_a_saved_model_that_gives_the_old_outputs(run_copy, capsys):
    import tensorflow as tf

    assert cli("--mode=export", f"--workdir={run_copy}") == 0
    assert f"step {SAVED_STEP}" in capsys.readouterr().out
    saved_model = os.path.join(run_copy, "export", "generator")
    assert os.path.isdir(saved_model)

    expected = np.load(f"{os.path.join(FIXTURES, os.path.basename(run_copy))}.expected.npz")
    inputs = {k[len("input_") :]: expected[k] for k in expected.files if k.startswith("input_")}
    outputs = {k[len("output_") :]: expected[k] for k in expected.files if k.startswith("output_")}
    serve = tf.saved_model.load(saved_model).signatures["serving_default"]
    specs = serve.structured_input_signature[1]
    assert set(specs) == set(inputs)
    assert specs["z"].shape[1] == inputs["z"].shape[1]
    got = {k: v.numpy() for k, v in serve(**{k: tf.constant(v) for k, v in inputs.items()}).items()}
    assert set(got) == set(outputs)
    for key, want in outputs.items():
        assert got[key].shape == want.shape == (len(inputs["z"]), 2)
        # The same weights were restored: the same points, up to float round-off.
        np.testing.assert_allclose(got[key], want, rtol=1e-5, atol=1e-5)
