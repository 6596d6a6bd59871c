"""One writer per run folder (ganzoo.training.run_lock): a second writer stops at once naming
the first; a lock left by a killed process is taken over. Real processes, real signals."""

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from ganzoo.errors import WorkdirError
from ganzoo.training import run_lock

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"}


def python(code: str, *args: str) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh Python process with `args` as sys.argv[1:]."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )


TRY_LOCK = """
    import sys
    from ganzoo.errors import WorkdirError
    from ganzoo.training import run_lock
    try:
        with run_lock.writer(sys.argv[1]):
            print("locked")
    except WorkdirError as e:
        print(e)
"""


def test_the_lock_file_names_its_holder_and_goes_when_released(tmp_path):
    lock = tmp_path / run_lock.LOCK_NAME
    with run_lock.writer(str(tmp_path)):
        record = json.loads(lock.read_text())
        assert record["pid"] == os.getpid() and record["started"] <= time.time()
        assert run_lock.held(str(tmp_path))
        with run_lock.writer(str(tmp_path)):  # a writer inside a writer: not locked out
            assert lock.exists()
        assert lock.exists(), "the inner block released the outer one's lock"
    assert not lock.exists() and not run_lock.held(str(tmp_path))


def test_a_missing_folder_is_not_created(tmp_path):
    with run_lock.writer(str(tmp_path / "typo")):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_second_process_is_refused_naming_the_holder_and_the_time_held(tmp_path):
    with run_lock.writer(str(tmp_path)):
        time.sleep(1.1)
        result = python(TRY_LOCK, str(tmp_path))
    message = result.stdout.strip()
    assert f"is in use by process {os.getpid()}" in message, result
    assert re.search(r"which has been writing it for [1-9]\d* s \(since ", message), message
    assert f"(kill {os.getpid()})" in message and "Nothing was changed" in message
    # Released: the next process gets it.
    again = python(TRY_LOCK, str(tmp_path))
    assert again.stdout.strip() == "locked", again


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path, capsys):
    killed = python(
        f"""
        import os, signal
        from ganzoo.training import run_lock
        with run_lock.writer({str(tmp_path)!r}):
            print(os.getpid(), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    assert killed.returncode == -signal.SIGKILL
    pid = int(killed.stdout.split()[0])
    assert json.loads((tmp_path / run_lock.LOCK_NAME).read_text())["pid"] == pid
    with run_lock.writer(str(tmp_path)):
        record = json.loads((tmp_path / run_lock.LOCK_NAME).read_text())
        assert record["pid"] == os.getpid()
    err = capsys.readouterr().err
    assert f"took over {tmp_path} from process {pid}" in err
    assert "ended without releasing it (killed or crashed)" in err


@pytest.mark.parametrize(
    "seconds, text", [(0.4, "0 s"), (59, "59 s"), (123, "2 min 03 s"), (3900, "1 h 05 min")]
)
def test_duration(seconds, text):
    assert run_lock.duration(seconds) == text


def test_a_holder_that_has_not_written_its_record_yet_is_still_refused(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", RAW_FLOCK, str(tmp_path / run_lock.LOCK_NAME)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WorkdirError, match=r"in use by another process \(it is writing"):
            with run_lock.writer(str(tmp_path)):
                pass
    finally:
        holder.kill()
        holder.wait()


RAW_FLOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("holding", flush=True)
time.sleep(120)
"""


# -- two real trainings --------------------------------------------------------------------------
def train_cmd(workdir, steps):
    return [
        sys.executable, "-m", "ganzoo.run", "--experiment=ring8_gan", f"--workdir={workdir}",
        f"--set=train.steps={steps}", "--set=train.checkpoint_every=20", "--set=train.log_every=20",
        "--set=train.sample_every=100000", "--set=model.width=16",
    ]  # fmt: skip


def wait_for(condition, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None and not condition():
        time.sleep(0.05)
    assert condition(), f"timed out (first process exit code {proc.poll()})"


def checkpoint_steps(workdir):
    index = os.path.join(workdir, "checkpoints", "checkpoint")
    if not os.path.exists(index):
        return []
    with open(index) as f:
        return [int(line.rsplit("-", 1)[1].strip('"\n')) for line in f if "all_model" in line]


def test_a_second_training_stops_at_once_and_a_sigkilled_ones_lock_is_taken_over(tmp_path):
    workdir = str(tmp_path / "run")
    first = subprocess.Popen(
        train_cmd(workdir, 10**6), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for(lambda: checkpoint_steps(workdir), first)  # training, and holding the folder
        start = time.time()
        second = subprocess.run(
            train_cmd(workdir, 10**6), env=ENV, capture_output=True, text=True, timeout=120
        )
        took = time.time() - start
        assert first.poll() is None, "the first training stopped"
        assert second.returncode == 2, second.stderr[-2000:]
        # (TF's C++ start-up chatter goes to stderr before absl takes it over.)
        lines = [line for line in second.stderr.splitlines() if line.startswith("ganzoo:")]
        assert len(lines) == 1 and "Traceback" not in second.stderr, second.stderr
        assert lines[0].startswith(f"ganzoo: error: Run folder {workdir} is in use by process ")
        assert f"process {first.pid} (python -m ganzoo.run --experiment=ring8_gan" in lines[0]
        assert "which has been writing it for " in lines[0]
        assert "Resuming" not in second.stdout and "Starting" not in second.stdout
        print(f"the second training stopped after {took:.1f} s (TF import included)")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    reached = max(checkpoint_steps(workdir))
    third = subprocess.run(
        train_cmd(workdir, reached + 20), env=ENV, capture_output=True, text=True, timeout=300
    )
    assert third.returncode == 0, third.stderr[-2000:]
    output = third.stdout + third.stderr
    assert f"took over {workdir} from process {first.pid}" in output, output[-2000:]
    assert f"Resuming ring8_gan at step {reached}" in third.stdout
    assert max(checkpoint_steps(workdir)) == reached + 20
    assert not os.path.exists(os.path.join(workdir, run_lock.LOCK_NAME))
    with open(os.path.join(workdir, "train_log.jsonl")) as f:
        steps = [json.loads(line)["step"] for line in f]
    assert steps[-1] == reached + 20


def test_refused_in_process_too(tmp_path, tiny_synthetic_config):
    """The library refuses as the CLI does: a WorkdirError before anything is built."""
    from ganzoo import train_lib

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WorkdirError, match=rf"in use by process {holder.pid} "):
            train_lib.train(tiny_synthetic_config, str(tmp_path))
        with pytest.raises(WorkdirError, match=rf"in use by process {holder.pid} "):
            train_lib.export(str(tmp_path), config=tiny_synthetic_config)
        assert sorted(os.listdir(tmp_path)) == [run_lock.LOCK_NAME]
    finally:
        holder.kill()
        holder.wait()


HOLD = """
import sys, time
from ganzoo.training import run_lock
with run_lock.writer(sys.argv[1]):
    print("holding", flush=True)
    time.sleep(120)
"""
