"""The command line: modes, overrides and one-line errors that exit non-zero."""

import os
import subprocess
import sys

import pytest
from cli_runner import cli

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_list_prints_every_experiment(capsys):
    assert cli("--mode=list") == 0
    out = capsys.readouterr().out
    for name in (
        "mnist_dcgan",
        "fashion_mnist_dcgan",
        "cifar10_dcgan",
        "ring8_gan",
        "grid25_gan",
        "image_folder_dcgan",
    ):
        assert name in out


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--experiment=mnist_dcgn"],
            "Unknown experiment 'mnist_dcgn'. Did you mean 'mnist_dcgan'",
        ),
        (
            ["--experiment=ring8_gan", "--set=train.stepz=5"],
            "Unknown config key 'train.stepz'. Did you mean 'train.steps'",
        ),
        (
            ["--experiment=ring8_gan", "--set=train.steps=five"],
            "Received: train.steps='five'. Expected a value of type int",
        ),
        (["--experiment=ring8_gan", "--set=train.steps"], "Expected --set key=value"),
        (["--experiment=image_folder_dcgan"], "needs a folder of images"),
        ([], "Received no --experiment"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(args, message, capsys, tmp_path):
    code = cli(*args, f"--workdir={tmp_path / 'run'}")
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.startswith("ganzoo: error:") and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_missing_image_folder_is_a_data_error(capsys, tmp_path):
    code = cli(
        "--experiment=image_folder_dcgan",
        f"--set=data.dir={tmp_path / 'nope'}",
        f"--workdir={tmp_path / 'run'}",
    )
    err = capsys.readouterr().err
    assert code == 2 and "ganzoo: error:" in err and str(tmp_path / "nope") in err
    assert "Traceback" not in err


def test_train_sample_export_through_the_cli(capsys, tmp_path):
    workdir = str(tmp_path / "run")
    common = ["--experiment=ring8_gan", f"--workdir={workdir}"]
    sets = [
        "--set=train.steps=10",
        "--set=train.log_every=5",
        "--set=model.width=8",
        "--set=data.synthetic_size=1000",
    ]
    assert cli(*common, *sets) == 0
    assert "step 10/10" in capsys.readouterr().out
    assert cli("--mode=sample", f"--workdir={workdir}", "--set=sample.num=7") == 0
    assert "Wrote 7 samples from step 10" in capsys.readouterr().out
    assert cli("--mode=export", f"--workdir={workdir}") == 0
    assert os.path.isdir(os.path.join(workdir, "export", "generator"))
    # Resuming with a different architecture is refused and leaves the run alone.
    assert cli(*common, *sets, "--set=model.width=16") == 2
    assert "holds a different run" in capsys.readouterr().err


def test_real_process_exit_code_and_message(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ganzoo.run", "--experiment=nope", f"--workdir={tmp_path}"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": REPO},
    )
    assert proc.returncode == 2
    assert "ganzoo: error: Unknown experiment 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_corrupt_idx_data_is_a_one_line_error(capsys, tmp_path):
    data = tmp_path / "idx"
    data.mkdir()
    (data / "train-images-idx3-ubyte").write_bytes(
        b"\x00\x00\x08\x03" + b"\x00\x00\x00\x05" + b"\x00" * 7
    )
    (data / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05" + bytes(5))
    code = cli(
        "--experiment=fashion_mnist_dcgan",
        "--set=data.source=idx",
        f"--set=data.dir={data}",
        f"--workdir={tmp_path / 'run'}",
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("ganzoo: error:") and "train-images-idx3-ubyte" in err
    assert not (tmp_path / "run" / "checkpoints").exists()
