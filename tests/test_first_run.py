"""README's first command on a CPU-only machine: no TensorFlow C++ log line and nothing that
looks like an error on the console, then a short summary with the run's paths, its quality
figure and the next commands. Runs `python -m ganzoo.run` in a subprocess, as a user does."""

import os
import re
import subprocess
import sys

import pytest

from ganzoo import train_lib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
TF_CPP_LINE = re.compile(r"^[IWEF]\d{4} ")
HEADLINE = re.compile(
    r"^  quality      (\d+)/8 modes covered \(PacGAN's count\), high-quality share (\d+\.\d)% "
    r"\(10,000 samples\)$"
)


def readme_train_command() -> list[str]:
    """The training part of README's first command (`pip install ... && python -m ...`)."""
    first = re.findall(r"```bash\n(.*?)```", README, flags=re.S)[0].strip().splitlines()[0]
    install, command = first.split(" && ")
    assert install.startswith("pip install -e")
    return command.split()


def run_cli(args: list[str], cwd) -> str:
    """`args` (python -m ganzoo.run ...) in a fresh process with a user's environment: no
    TF_CPP_MIN_LOG_LEVEL of the test session's. Returns stdout and stderr, checked quiet."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    assert args[:3] == ["python", "-m", "ganzoo.run"]
    proc = subprocess.run(
        [sys.executable, *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    for line in out.splitlines():
        assert not TF_CPP_LINE.match(line), line
        for noise in ("absl::InitializeLog", "cuInit", "cudart_stub", "oneDNN", "Error", "ERROR"):
            assert noise not in line, line
    return out


def check_summary(out: str, workdir: str, cwd) -> tuple[int, float]:
    """The summary block is the last 10 lines: paths that exist, next commands with the
    run's --workdir; returns (modes covered, high-quality %) of its headline."""
    lines = out.rstrip("\n").splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("Finished ring8_gan: "))
    block = lines[start:]
    assert len(block) <= 10, block
    assert re.match(r"Finished ring8_gan: step (\d+) of \1 in \d+m\d\ds\.$", block[0]), block[0]
    headline = HEADLINE.match(block[1])
    assert headline, block[1]
    fields = dict(line.split(None, 1) for line in block[2:5])
    assert fields["samples"].endswith(".png") and os.path.isfile(cwd / fields["samples"])
    assert os.listdir(cwd / fields["checkpoints"]) and os.listdir(cwd / fields["tensorboard"])
    assert block[5] == "Next:"
    assert block[6:] == [
        f"  python -m ganzoo.run --mode=sample --workdir={workdir}",
        f"  python -m ganzoo.run --mode=eval --workdir={workdir}",
        f"  python -m ganzoo.run --mode=export --workdir={workdir}",
        f"  tensorboard --logdir {fields['tensorboard']}",
    ]
    return int(headline[1]), float(headline[2])


def test_readme_first_command_is_ring8_gan():
    assert readme_train_command() == ["python", "-m", "ganzoo.run", "--experiment=ring8_gan"]


def test_first_run_is_quiet_and_ends_with_a_summary_that_eval_agrees_with(tmp_path):
    command = [*readme_train_command(), "--workdir=run", "--set", "train.steps=2000"]
    out = run_cli(command, tmp_path)
    assert out.startswith("Starting ring8_gan at step 0 of 2000"), out[:2000]
    modes, share = check_summary(out, "run", tmp_path)
    assert share > 0  # after 2,000 steps samples sit on modes: the figures mean something
    # The printed --mode=eval command runs, quietly, and scores the run as the headline did.
    evaluation = run_cli(["python", "-m", "ganzoo.run", "--mode=eval", "--workdir=run"], tmp_path)
    assert f"modes_covered {modes} |" in evaluation, evaluation
    fraction = float(re.search(r"high_quality_fraction ([\d.e-]+)", evaluation)[1])
    assert share == pytest.approx(100 * fraction, abs=0.051), evaluation


@pytest.mark.slow
def test_readme_first_command_verbatim(tmp_path):
    """The default command itself: 8,000 steps into runs/ring8_gan (about 40 s on 2 cores);
    seed 0 of the shipped recipe covers every mode (docs/results.md, 10 seeds)."""
    out = run_cli(readme_train_command(), tmp_path)
    modes, share = check_summary(out, "runs/ring8_gan", tmp_path)
    assert modes == 8 and share > 90


def test_an_interrupted_run_prints_no_summary(tiny_synthetic_config, tmp_path, capsys, monkeypatch):
    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_lib.GAN, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_lib.train(tiny_synthetic_config, str(tmp_path / "run"))
    out = capsys.readouterr().out
    assert "Interrupted at step 0" in out and "Finished" not in out and "Next:" not in out


def test_a_finished_run_prints_the_summary_once(tiny_synthetic_config, tmp_path, capsys):
    workdir = str(tmp_path / "run")
    train_lib.train(tiny_synthetic_config, workdir)
    out = capsys.readouterr().out
    assert out.count("Finished tiny_ring8: step 20 of 20 in ") == 1
    assert re.search(
        r"quality      \d+/8 modes covered \(PacGAN's count\), high-quality share", out
    )
    assert f"samples      {os.path.join(workdir, 'samples', 'step_000020.png')}" in out
    train_lib.train(tiny_synthetic_config, workdir)  # already there: nothing trained, no summary
    out = capsys.readouterr().out
    assert "already at step 20" in out and "Finished" not in out
