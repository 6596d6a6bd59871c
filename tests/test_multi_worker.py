"""Multi-worker training with one shared workdir: only the chief writes into it.

In-process, with the chief flag injected: a worker that is not the chief resumes from the
chief's checkpoint and leaves the workdir exactly as it was. Then a real cluster: two
`python -m ganzoo.run` processes with MultiWorkerMirroredStrategy over localhost gRPC, the same
--workdir, trained and resumed; the chief's weights equal those of a one-process
MirroredStrategy run on 2 logical CPUs (the same two replicas, the same global batches).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import types

import numpy as np
import pytest
from file_snapshot import snapshot

import ganzoo
from ganzoo import train_lib
from ganzoo.training import distribute

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = {
    "train.batch_size": "32",
    "train.log_every": "5",
    "train.sample_every": "10",
    "train.checkpoint_every": "10",
    "model.width": "16",
    "data.synthetic_size": "1024",
    "sample.num": "64",
    "eval.every": "10",  # modes metrics: cheap, and they exercise the best checkpoint's save
    "eval.num_samples": "500",
}
WORKER_TIMEOUT_S = 240


def test_a_worker_that_is_not_the_chief_writes_nothing(tmp_path, monkeypatch):
    workdir = str(tmp_path / "run")
    config = ganzoo.get_experiment("ring8_gan", {**SETS, "train.steps": "10"})
    train_lib.train(config, workdir, stream=io.StringIO())
    before = snapshot(workdir)
    assert "checkpoints/ckpt-10.index" in before and "train_log.jsonl" in before

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR
    monkeypatch.setattr(distribute, "is_chief", lambda strategy: False)
    stream = io.StringIO()
    more = ganzoo.get_experiment("ring8_gan", {**SETS, "train.steps": "20"})
    gan = train_lib.train(more, workdir, stream=stream)

    out = stream.getvalue()
    assert "Resuming ring8_gan at step 10 of 20" in out  # it read the chief's checkpoint
    assert "step 20/20" in out and int(gan.g_optimizer.iterations.numpy()) == 20
    assert snapshot(workdir) == before  # not a byte written, not a file touched
    assert os.listdir(scratch) == []  # its throw-away checkpoints are gone

    fresh = str(tmp_path / "fresh")  # no chief has run here yet: it makes no folder at all
    train_lib.train(config, fresh, stream=io.StringIO())
    assert not os.path.exists(fresh)


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _start_cluster(workdir: str, steps: int, logs, **sets) -> list[subprocess.Popen]:
    """Starts 2 workers training `steps` with one `workdir`; their output goes to files."""
    hosts = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    args = [f"--set={k}={v}" for k, v in {**SETS, "train.steps": str(steps), **sets}.items()]
    cmd = [sys.executable, "-m", "ganzoo.run", "--experiment=ring8_gan", f"--workdir={workdir}"]
    cmd += ["--set=train.strategy=multi_worker", *args]
    procs = []
    for index in range(2):
        tmp = logs / f"tmp{index}"
        tmp.mkdir(exist_ok=True)
        tf_config = {"cluster": {"worker": hosts}, "task": {"type": "worker", "index": index}}
        env = dict(os.environ, PYTHONPATH=ROOT, TF_CONFIG=json.dumps(tf_config), TMPDIR=str(tmp))
        out = open(logs / f"steps{steps}_worker{index}.txt", "w+")  # a file: no pipe to fill
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=out)
        proc.output = out
        procs.append(proc)
    return procs


def _finish(procs) -> list[tuple[int, int, str]]:
    """[(return code, pid, output)] of each worker, by index; kills any left after the timeout."""
    try:
        for proc in procs:
            proc.wait(timeout=WORKER_TIMEOUT_S)
    finally:
        for proc in procs:
            if proc.poll() is None:  # a hung collective: do not leave it running
                proc.kill()
                proc.wait()
    results = []
    for proc in procs:
        proc.output.seek(0)
        results.append((proc.returncode, proc.pid, proc.output.read()))
        proc.output.close()
    return results


def _launch_cluster(workdir: str, steps: int, logs) -> list[tuple[int, int, str]]:
    return _finish(_start_cluster(workdir, steps, logs))


def _progress(stdout: str) -> list[str]:
    """The progress lines without their speed and ETA (those differ between workers)."""
    lines = [line for line in stdout.splitlines() if line.startswith("step ")]
    return [" | ".join(line.split(" | ")[:2]) for line in lines]


def _mirrored_reference(workdir: str, steps: int) -> None:
    """The same run in one process: MirroredStrategy over 2 logical CPUs."""
    script = textwrap.dedent(
        f"""
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        import ganzoo, os
        from ganzoo import train_lib
        config = ganzoo.get_experiment("ring8_gan", {dict(SETS, **{"train.steps": str(steps)})!r})
        with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
            train_lib.train(config, {workdir!r}, stream=open(os.devnull, "w"))
        """
    )
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]


def _max_weight_difference(a: str, b: str) -> float:
    import tensorflow as tf

    ra, rb = tf.train.load_checkpoint(a), tf.train.load_checkpoint(b)
    names = [n for n in ra.get_variable_to_shape_map() if n.endswith("VARIABLE_VALUE")]
    # The networks' weights are stored once, under the optimizers that train them.
    for net in ("d_optimizer/_trainable_variables/", "g_optimizer/_trainable_variables/"):
        assert any(n.startswith(net) for n in names), names
    return max(
        float(np.max(np.abs(ra.get_tensor(n).astype(np.float64) - rb.get_tensor(n)))) for n in names
    )


def _log_steps(workdir: str) -> list[dict]:
    with open(os.path.join(workdir, "train_log.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_two_workers_share_one_workdir_and_resume(tmp_path):
    workdir = str(tmp_path / "run")
    first = _launch_cluster(workdir, 20, tmp_path)
    for index, (code, _, out) in enumerate(first):
        assert code == 0, f"worker {index} exited {code}:\n{out[-3000:]}"
    (_, chief_pid, chief_out), (_, _, worker_out) = first
    assert "as the chief of 2 workers" in chief_out
    assert "as the worker 1 of 2 workers (the chief writes the workdir)" in worker_out
    assert _progress(chief_out)[-1].startswith("step 20/20 | d_loss")
    # Losses are all-reduced: both workers print the same readings at the same steps.
    assert [p.split(" diversity")[0] for p in _progress(chief_out)] == _progress(worker_out)

    files = snapshot(workdir)
    events = [f for f in files if f.startswith("tensorboard/")]
    expected = {
        "config.json",
        "train_log.jsonl",
        "checkpoints/checkpoint",
        "checkpoints/best/checkpoint",
        "eval/step_000010.json",
        "eval/step_000020.json",
        "eval/best.json",
        "eval/reference.json",
        "samples/step_000010.png",
        "samples/step_000020.png",
        *events,
    }
    for stem in ("checkpoints/ckpt-10", "checkpoints/ckpt-20", "checkpoints/best/ckpt-10"):
        expected |= {stem + ".index", stem + ".data-00000-of-00001"}
    assert set(files) == expected  # one run's files; no worker or temporary folders
    assert events and all(f".{chief_pid}." in name for name in events)  # the chief's only
    for index in range(2):
        assert os.listdir(tmp_path / f"tmp{index}") == []  # throw-away checkpoints deleted
    records = _log_steps(workdir)
    assert [r["step"] for r in records] == [5, 10, 15, 20]  # written once, not once per worker
    assert all(math.isfinite(r[k]) for r in records for k in ("d_loss", "g_loss"))

    _mirrored_reference(str(tmp_path / "mirrored"), 20)
    reference = os.path.join(tmp_path, "mirrored", "checkpoints", "ckpt-20")
    # Two workers x one replica train exactly as two replicas in one process.
    assert _max_weight_difference(os.path.join(workdir, "checkpoints", "ckpt-20"), reference) < 1e-6
    assert [r["d_loss"] for r in _log_steps(str(tmp_path / "mirrored"))] == pytest.approx(
        [r["d_loss"] for r in records], abs=1e-6
    )

    second = _launch_cluster(workdir, 30, tmp_path)
    for index, (code, _, out) in enumerate(second):
        assert code == 0, f"worker {index} exited {code} on resume:\n{out[-3000:]}"
        assert re.search(r"Resuming ring8_gan at step 20 of 30 .* of 2 workers", out)
    assert [r["step"] for r in _log_steps(workdir)] == [5, 10, 15, 20, 25, 30]
    assert {"checkpoints/ckpt-30.index", "samples/step_000030.png"} <= set(snapshot(workdir))
    assert not any("tmp" in f or "worker" in f for f in snapshot(workdir))
    assert json.load(open(os.path.join(workdir, "config.json")))["train"]["steps"] == 30


def test_losing_a_worker_is_a_one_line_error_and_keeps_the_checkpoint():
    import tensorflow as tf

    error = tf.errors.UnavailableError(
        None, None, "Graph execution error:\n\nCollective ops is aborted by: Connection reset"
    )
    ckpt = types.SimpleNamespace(step=201, latest="/run/checkpoints/ckpt-200")
    text = str(train_lib._lost_worker(error, ckpt))
    assert (
        "after step 201 (UnavailableError: Collective ops is aborted by: Connection reset)" in text
    )
    assert "(ckpt-200) is kept; start the same command on every worker again" in text


def test_the_other_worker_stops_when_the_chief_is_killed(tmp_path):
    workdir = str(tmp_path / "run")
    procs = _start_cluster(workdir, 100_000, tmp_path, **{"eval.every": "0"})
    chief_log = tmp_path / "steps100000_worker0.txt"
    deadline = time.time() + WORKER_TIMEOUT_S
    while time.time() < deadline and "step 20/" not in chief_log.read_text():
        assert procs[0].poll() is None, chief_log.read_text()[-3000:]
        time.sleep(0.2)
    procs[0].send_signal(signal.SIGKILL)
    start = time.time()
    (_, _, _), (code, _, out) = _finish(procs)
    assert code == 2, out[-3000:]  # a GanzooError, not a traceback, and not a hang
    assert "ganzoo: error: Lost another worker of the cluster" in out and "Traceback" not in out
    assert time.time() - start < 120
