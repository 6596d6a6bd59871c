"""Reliability: exact continuation, kill-safety under SIGKILL, deterministic sampling."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

import ganzoo
from ganzoo import train_lib
from ganzoo.checkpoint import RunCheckpoint
from ganzoo.workdir import Workdir

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"}


def log_lines(workdir):
    with open(os.path.join(workdir, "train_log.jsonl"), encoding="utf-8") as f:
        return {r["step"]: r for r in map(json.loads, f)}


def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(tiny_synthetic_config, tmp_path):
    def config(steps):
        overrides = {"train.steps": steps, "train.deterministic": True, "train.log_every": 1}
        return ganzoo.validate(ganzoo.apply_overrides(tiny_synthetic_config, overrides))

    straight, resumed = str(tmp_path / "straight"), str(tmp_path / "resumed")
    a = train_lib.train(config(14), straight)
    train_lib.train(config(7), resumed)  # stops at 7 with a checkpoint at 7 (the end)
    b = train_lib.train(config(14), resumed)
    la, lb = log_lines(straight), log_lines(resumed)
    assert sorted(la) == sorted(lb) == list(range(1, 15))
    for step in range(1, 15):
        for key in ("d_loss", "g_loss", "d_real_logit", "d_fake_logit"):
            np.testing.assert_allclose(
                lb[step][key], la[step][key], rtol=1e-6, err_msg=f"{key}@{step}"
            )
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_allclose(wb.numpy(), wa.numpy(), rtol=1e-6, atol=1e-7)
    for va, vb in zip(a.d_optimizer.variables, b.d_optimizer.variables, strict=True):
        np.testing.assert_allclose(vb.numpy(), va.numpy(), rtol=1e-6, atol=1e-7)


def all_checkpoints_load(workdir):
    config = Workdir(workdir).read_config()
    gan = train_lib.build_gan(config)
    ckpt = RunCheckpoint(gan, Workdir(workdir).checkpoint_dir, config.train.keep_checkpoints)
    paths = ckpt.checkpoints
    for path in paths:
        ckpt.restore(path)
    return [int(p.rsplit("-", 1)[1]) for p in paths]


def test_sigkill_at_random_moments_and_mid_checkpoint_never_corrupts_the_run(tmp_path):
    workdir = str(tmp_path / "run")
    cmd = [
        sys.executable, "-m", "ganzoo.run", "--experiment=ring8_gan", f"--workdir={workdir}",
        "--set=train.steps=3000", "--set=train.checkpoint_every=10", "--set=train.log_every=50",
        "--set=train.sample_every=500", "--set=train.keep_checkpoints=4", "--set=model.width=32",
    ]  # fmt: skip
    rng = random.Random(0)
    ckdir = os.path.join(workdir, "checkpoints")
    steps_seen = []

    def wait_for(condition, proc, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline and proc.poll() is None and not condition():
            time.sleep(0.001)

    def names():
        return os.listdir(ckdir) if os.path.isdir(ckdir) else []

    for attempt in range(4):
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Once this process has listed a checkpoint of its own in the index (training is on) ...
        index = os.path.join(ckdir, "checkpoint")
        before = os.stat(index).st_mtime_ns if os.path.exists(index) else None
        wait_for(lambda b=before, i=index: os.path.exists(i) and os.stat(i).st_mtime_ns != b, proc)
        if attempt % 2 == 0:  # ... kill it while TF writes the next one (its _temp exists)
            wait_for(lambda: any(n.endswith("_temp") for n in names()), proc)
        else:  # ... or at a random moment
            time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
        steps_seen.append(max(all_checkpoints_load(workdir)))
    assert steps_seen and steps_seen == sorted(steps_seen)
    final = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr[-2000:]
    assert "Resuming ring8_gan" in final.stdout
    assert all_checkpoints_load(workdir)[-1] == 3000
    assert len(all_checkpoints_load(workdir)) == 4
    json.loads(open(os.path.join(workdir, "config.json")).read())


def test_sampling_is_identical_across_processes(tiny_synthetic_config, tmp_path):
    workdir = str(tmp_path / "run")
    train_lib.train(tiny_synthetic_config, workdir)
    cmd = [
        sys.executable,
        "-m",
        "ganzoo.run",
        "--mode=sample",
        f"--workdir={workdir}",
        "--set=sample.num=50",
        "--set=sample.seed=7",
    ]
    outputs = []
    for _ in range(2):
        subprocess.run(cmd, env=ENV, check=True, capture_output=True)
        path = os.path.join(workdir, "samples", "sample_step000020_seed7_n50.npy")
        outputs.append(np.load(path))
        shutil.move(path, path + f".{len(outputs)}")
    np.testing.assert_array_equal(outputs[0], outputs[1])
    here = np.load(train_lib.sample(workdir, num=50, seed=7)["npy"])
    np.testing.assert_array_equal(here, outputs[0])


def checkpoint_values(path) -> dict:
    """{name: value} of every variable in a checkpoint, read from its files alone."""
    reader = tf.train.load_checkpoint(path)
    names = reader.get_variable_to_shape_map()
    return {n: reader.get_tensor(n) for n in names if n != "_CHECKPOINTABLE_OBJECT_GRAPH"}


def wait_for_logged_step(workdir, step, proc, timeout=120):
    """Waits until train_log.jsonl holds a complete line at `step` or later."""
    path = os.path.join(workdir, "train_log.jsonl")
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                done = [json.loads(line) for line in f if line.endswith("\n")]
            if done and done[-1]["step"] >= step:
                return
        time.sleep(0.005)
    raise AssertionError(f"the run never logged step {step} (exit code {proc.poll()})")


def test_sigterm_saves_a_checkpoint_exits_143_and_the_rerun_resumes_there(tmp_path):
    """SIGTERM (a scheduler preempting the job) stops the run at the end of the current batch
    like Ctrl-C: checkpoint at that step, exit 143 (128 + SIGTERM), the same command resumes."""
    steps = 300
    workdir = str(tmp_path / "run")
    command = [
        sys.executable, "-m", "ganzoo.run", f"--workdir={workdir}", "--experiment=ring8_gan",
        f"--set=train.steps={steps}", "--set=train.log_every=1", "--set=model.width=16",
        "--set=train.checkpoint_every=100000", "--set=train.sample_every=100000",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    wait_for_logged_step(workdir, 40, proc)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 143, out[-2000:]
    stopped = [line for line in out.splitlines() if line.startswith("Stopped by SIGTERM at step ")]
    assert len(stopped) == 1 and stopped[0].endswith("checkpoint saved. Run the same command to resume."), out[-2000:]  # fmt: skip
    step = int(stopped[0].split()[5].rstrip(";"))
    assert 40 <= step < steps, f"stopped at step {step}: the run must be cut mid-way"
    latest = tf.train.latest_checkpoint(os.path.join(workdir, "checkpoints"))
    assert latest is not None and os.path.basename(latest) == f"ckpt-{step}"

    resumed = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"Resuming ring8_gan at step {step} of {steps}" in resumed.stdout


def test_ctrl_c_saves_a_checkpoint_at_that_step_and_the_rerun_continues_exactly(tmp_path):
    """SIGINT mid-run: exit 130 with a checkpoint at the step it stopped at (the only one before
    the end: checkpoint_every is beyond train.steps); the same command then resumes from that
    step, and the finished run equals an uninterrupted one in every logged value and every
    checkpointed variable (train.deterministic; log_every=1 so each line is one step's values,
    not a running mean over a window the interrupt cut)."""
    steps = 300
    flags = [
        "--experiment=ring8_gan", f"--set=train.steps={steps}", "--set=train.log_every=1",
        "--set=train.checkpoint_every=100000", "--set=train.sample_every=100000",
        "--set=train.deterministic=true", "--set=model.width=16",
    ]  # fmt: skip
    cut, straight = str(tmp_path / "cut"), str(tmp_path / "straight")

    def command(workdir):
        return [sys.executable, "-m", "ganzoo.run", f"--workdir={workdir}", *flags]

    # A shell starts background jobs (`pytest ... &`) with SIGINT ignored, and Python then
    # installs no KeyboardInterrupt handler: restore the default so Ctrl-C reaches the run.
    proc = subprocess.Popen(
        command(cut),
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for_logged_step(cut, 40, proc)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, out[-2000:]
    stopped = [line for line in out.splitlines() if line.startswith("Interrupted at step ")]
    assert len(stopped) == 1 and stopped[0].endswith("checkpoint saved. Run the same command to resume."), out[-2000:]  # fmt: skip
    step = int(stopped[0].split()[3].rstrip(";"))
    assert 40 <= step < steps, f"interrupted at step {step}: the run must be cut mid-way"

    latest = tf.train.latest_checkpoint(os.path.join(cut, "checkpoints"))
    assert latest is not None, "no checkpoint was saved on Ctrl-C"
    assert os.path.basename(latest) == f"ckpt-{step}"
    saved = checkpoint_values(latest)
    assert saved["g_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"] == step
    assert saved["d_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"] == step  # d_steps=1
    logged = sorted(log_lines(cut))
    # SIGINT lands between Python bytecodes: after step `step`'s update, before or after its
    # log line was written, never inside a step.
    assert logged[-1] in (step - 1, step) and logged == list(range(1, logged[-1] + 1))

    resumed = subprocess.run(command(cut), env=ENV, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"Resuming ring8_gan at step {step} of {steps}" in resumed.stdout
    first = subprocess.run(command(straight), env=ENV, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]

    with open(os.path.join(cut, "train_log.jsonl"), encoding="utf-8") as f:
        steps_cut = [json.loads(line)["step"] for line in f]
    assert steps_cut == [s for s in range(1, steps + 1) if s != step or step in logged]
    la, lb = log_lines(straight), log_lines(cut)
    for s in steps_cut:
        for key in ("d_loss", "g_loss", "d_real_logit", "d_fake_logit", "g_grad_norm"):
            np.testing.assert_allclose(lb[s][key], la[s][key], rtol=1e-6, err_msg=f"{key}@{s}")
    end_a = checkpoint_values(os.path.join(straight, "checkpoints", f"ckpt-{steps}"))
    end_b = checkpoint_values(os.path.join(cut, "checkpoints", f"ckpt-{steps}"))
    end_a.pop("save_counter/.ATTRIBUTES/VARIABLE_VALUE")  # one more save in the cut run
    end_b.pop("save_counter/.ATTRIBUTES/VARIABLE_VALUE")
    assert sorted(end_a) == sorted(end_b)
    for name, value in end_a.items():
        np.testing.assert_allclose(end_b[name], value, rtol=1e-6, atol=1e-7, err_msg=name)
