"""A damaged newest checkpoint: moved aside (never deleted) by the process that holds the run
folder, and the run goes on from the newest readable one, saying so."""

import os
import shutil

import numpy as np
import pytest
from cli_runner import cli
from file_snapshot import snapshot

from ganzoo import train_lib
from ganzoo.checkpoint import DAMAGED_DIR, RunCheckpoint
from ganzoo.errors import CheckpointError
from ganzoo.workdir import Workdir

DATA = ".data-00000-of-00001"
RING8 = ["--experiment=ring8_gan", "--set=model.width=8", "--set=data.synthetic_size=1000",
         "--set=train.checkpoint_every=10", "--set=train.log_every=10"]  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny ring8 run with checkpoints at steps 10 and 20, trained once, copied per test."""
    root = tmp_path_factory.mktemp("trained") / "run"
    assert cli(*RING8, f"--workdir={root}", "--set=train.steps=20") == 0
    return root


@pytest.fixture
def run(trained, tmp_path):
    shutil.copytree(trained, tmp_path / "run")
    return tmp_path / "run"


def truncate(run, step, size=10):
    with open(run / "checkpoints" / f"ckpt-{step}{DATA}", "r+b") as f:
        f.truncate(size)


def checkpoint_of(run):
    config = Workdir(str(run)).read_config()
    return RunCheckpoint(train_lib.build_gan(config), str(run / "checkpoints"))


def listed(run):
    return [os.path.basename(p) for p in checkpoint_of(run).checkpoints]


def aside(run, name):
    """The files set aside for checkpoint `name` (one damaged/<name>-<time>/ folder)."""
    root = run / "checkpoints" / DAMAGED_DIR
    folders = [f for f in os.listdir(root) if f.startswith(name + "-")]
    assert len(folders) == 1, os.listdir(root)
    return root / folders[0]


def test_training_moves_a_truncated_newest_checkpoint_aside_and_resumes_before_it(run, capsys):
    truncate(run, 20)
    capsys.readouterr()
    assert cli(*RING8, f"--workdir={run}", "--set=train.steps=30") == 0
    out = capsys.readouterr().out
    folder = aside(run, "ckpt-20")
    assert (
        f"Checkpoint ckpt-20 in {run / 'checkpoints'} cannot be read (IndexError: " in out
        and f"moved it to {folder}. Using ckpt-10 (step 10), the newest readable one." in out
    ), out
    assert "Resuming ring8_gan at step 10 of 30" in out
    # Kept, as it was: the truncated data file and its index.
    assert sorted(os.listdir(folder)) == [f"ckpt-20{DATA}", "ckpt-20.index"]
    assert os.path.getsize(folder / f"ckpt-20{DATA}") == 10
    # The index is consistent: the run saved 20 and 30 again, and every listed one restores.
    assert listed(run) == ["ckpt-10", "ckpt-20", "ckpt-30"]
    ckpt = checkpoint_of(run)
    for path in ckpt.checkpoints:
        ckpt.restore(path)
    assert ckpt.step == 30


def test_the_fallback_restores_the_older_checkpoint_exactly(run):
    """Trying the damaged one first leaves nothing of it in the model."""
    truncate(run, 20)
    expected = checkpoint_of(run)
    expected.restore(str(run / "checkpoints" / "ckpt-10"))
    fallen_back = checkpoint_of(run)
    assert fallen_back.restore_latest() == 10
    for a, b in zip(fallen_back.gan.generator.weights, expected.gan.generator.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(
        fallen_back.gan.d_optimizer.variables, expected.gan.d_optimizer.variables, strict=True
    ):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_a_reader_that_does_not_hold_the_folder_falls_back_and_moves_nothing(run, capsys):
    truncate(run, 20)
    before = snapshot(run)
    capsys.readouterr()
    _, _, step = train_lib.load_run(str(run))  # what judge does: reads only
    assert step == 10 and snapshot(run) == before
    err = capsys.readouterr().err
    assert "Checkpoint ckpt-20 in" in err and "left in place. Using ckpt-10 (step 10)" in err


def test_sampling_holds_the_folder_and_sets_the_damaged_checkpoint_aside(run, capsys):
    truncate(run, 20)
    capsys.readouterr()
    assert cli("--mode=sample", f"--workdir={run}") == 0
    captured = capsys.readouterr()
    assert "Using ckpt-10 (step 10)" in captured.err and "moved it to" in captured.err
    assert "step000010" in captured.out  # the samples are of step 10
    assert sorted(os.listdir(aside(run, "ckpt-20"))) == [f"ckpt-20{DATA}", "ckpt-20.index"]
    assert listed(run) == ["ckpt-10"]


def test_an_index_entry_whose_files_are_gone_is_dropped(run, capsys):
    for name in os.listdir(run / "checkpoints"):
        if name.startswith("ckpt-20."):
            os.remove(run / "checkpoints" / name)
    ckpt = checkpoint_of(run)
    assert ckpt.restore_latest(set_aside=True) == 10
    assert "its files are gone; dropped it from the index" in capsys.readouterr().err
    assert listed(run) == ["ckpt-10"]
    assert not os.path.exists(run / "checkpoints" / DAMAGED_DIR)


def test_when_no_checkpoint_can_be_read_nothing_is_moved(run):
    truncate(run, 10)
    truncate(run, 20)
    before = snapshot(run)
    with pytest.raises(
        CheckpointError,
        match=r"None of the 2 checkpoints in .* can be read \(newest, ckpt-20: IndexError",
    ):
        checkpoint_of(run).restore_latest(set_aside=True)
    assert snapshot(run) == before
