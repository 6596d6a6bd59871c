"""Bad input, tried systematically: each gets one clear `ganzoo: error:` line, a non-zero exit,
and leaves the workdir as it was. Every case works on a copy of a real trained run of its
experiment (its data going bad under it, for the data cases), and every file under the case's
folder is compared byte for byte before and after. `python tests/test_bad_inputs.py` prints the
table that docs/reliability.md shows."""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import sys

import pytest
import tensorflow as tf
from cli_runner import cli
from file_snapshot import snapshot

from ganzoo.workdir import Workdir

TINY = ["--set=train.steps=10", "--set=train.log_every=5", "--set=model.width=8",
        "--set=data.synthetic_size=1000", "--set=train.checkpoint_every=5"]  # fmt: skip


# The DCGAN runs: tiny, 2 steps; a case resumes one with MORE steps, so it reaches its data.
SMALL = ["--set=train.steps=2", "--set=train.batch_size=2", "--set=model.width=4",
         "--set=train.log_every=1", "--set=train.sample_every=2", "--set=train.checkpoint_every=2",
         "--set=sample.num=4", "--set=health.diversity_samples=2"]  # fmt: skip
MORE = "--set=train.steps=4"
FOLDER = ["--experiment=image_folder_dcgan", *SMALL]
IDX = ["--experiment=fashion_mnist_dcgan", "--set=data.source=idx", *SMALL]
TFDS = ["--experiment=mnist_dcgan", *SMALL]
# A first step at a G learning rate of 1e30 is still finite (its losses are read before G's
# update); the next one is not.
EXPLODING = ["--experiment=ring8_gan", *TINY, "--set=optimizer.g_lr=1e30", "--set=train.steps=1"]


def write_idx(path, magic_dims, payload):
    with open(path, "wb") as f:
        f.write(bytes(magic_dims) + payload)


def idx_folder(root, *, images=None, labels=None):
    """A folder with IDX files: valid 28x28 images and labels unless given."""
    root.mkdir(parents=True, exist_ok=True)
    n = 4
    img = (
        images
        if images is not None
        else (
            bytes([0, 0, 8, 3])
            + n.to_bytes(4, "big")
            + (28).to_bytes(4, "big") * 2
            + bytes(n * 784)
        )
    )
    lab = labels if labels is not None else bytes([0, 0, 8, 1]) + n.to_bytes(4, "big") + bytes(n)
    with gzip.open(root / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(img)
    with gzip.open(root / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(lab)
    return str(root)


def image_folder(root, files):
    import PIL.Image

    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (root / name).write_bytes(content)
        else:
            PIL.Image.fromarray(content).save(root / name)
    return str(root)


def _idx(magic, n_img=4, n_lab=4, label=0, truncate=0):
    images = (
        bytes(magic) + n_img.to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + bytes(n_img * 784)
    )
    labels = bytes([0, 0, 8, 1]) + n_lab.to_bytes(4, "big") + bytes([label]) * n_lab
    return images[: len(images) - truncate], labels


# (id, what the user did, a function (tmp) -> CLI args, expected text in the one-line error)
CASES = [
    ("unknown-experiment", "--experiment=mnist_dcgn", lambda t: ["--experiment=mnist_dcgn"], "Did you mean 'mnist_dcgan'"),
    ("unknown-key", "--set train.stepz=5", lambda t: ["--experiment=ring8_gan", "--set=train.stepz=5"], "Did you mean 'train.steps'"),
    ("int-type", "--set train.steps=ten", lambda t: ["--experiment=ring8_gan", "--set=train.steps=ten"], "Expected a value of type int"),
    ("float-type", "--set optimizer.d_lr=fast", lambda t: ["--experiment=ring8_gan", "--set=optimizer.d_lr=fast"], "Expected a value of type float"),
    ("bool-type", "--set data.cache=maybe", lambda t: ["--experiment=ring8_gan", "--set=data.cache=maybe"], "Expected a value of type bool"),
    ("negative-steps", "--set train.steps=-5", lambda t: ["--experiment=ring8_gan", "--set=train.steps=-5"], "train.steps=-5. Expected a positive value"),
    ("zero-batch", "--set train.batch_size=0", lambda t: ["--experiment=ring8_gan", "--set=train.batch_size=0"], "train.batch_size=0. Expected a positive value"),
    ("resolution", "--set model.resolution=30 (DCGAN)", lambda t: ["--experiment=mnist_dcgan", "--set=model.resolution=30"], "model.resolution=30"),
    ("channels", "--set model.channels=4", lambda t: ["--experiment=mnist_dcgan", "--set=model.channels=4"], "model.channels=4. Expected 1 or 3"),
    ("loss", "--set model.loss=hinje", lambda t: ["--experiment=ring8_gan", "--set=model.loss=hinje"], "Did you mean 'hinge'"),
    ("arch", "--set model.arch=dcgam", lambda t: ["--experiment=ring8_gan", "--set=model.arch=dcgam"], "Did you mean 'dcgan'"),
    ("source", "--set data.source=ftp", lambda t: ["--experiment=ring8_gan", "--set=data.source=ftp"], "data.source='ftp'"),
    ("jit", "--set train.jit_compile=sometimes", lambda t: ["--experiment=ring8_gan", "--set=train.jit_compile=sometimes"], "train.jit_compile='sometimes'"),
    ("beta", "--set optimizer.beta_1=1.5", lambda t: ["--experiment=ring8_gan", "--set=optimizer.beta_1=1.5"], "Expected values in [0, 1)"),
    ("remedy", "--set train.nonfinite_remedy=pray", lambda t: ["--experiment=ring8_gan", "--set=train.nonfinite_remedy=pray"], "train.nonfinite_remedy='pray'"),
    ("max-examples", "--set data.max_examples=-1", lambda t: ["--experiment=ring8_gan", "--set=data.max_examples=-1", *TINY], "data.max_examples=-1"),
    ("set-syntax", "--set train.steps (no value)", lambda t: ["--experiment=ring8_gan", "--set=train.steps"], "Expected --set key=value"),
    ("positional", "a stray positional argument", lambda t: ["--experiment=ring8_gan", "oops"], "unexpected arguments"),
    ("no-experiment", "train without --experiment", lambda t: [], "Received no --experiment"),
    ("synthetic-name", "--set data.name=ring9 (synthetic)", lambda t: ["--experiment=ring8_gan", "--set=data.name=ring9", *TINY], "Did you mean 'ring8'"),
    ("folder-missing", "image folder that does not exist", lambda t: [*FOLDER, MORE, f"--set=data.dir={t / 'nope'}"], "nope"),
    ("folder-empty", "empty image folder", lambda t: [*FOLDER, MORE, f"--set=data.dir={image_folder(t / 'empty', {})}"], "empty"),
    ("folder-corrupt", "only corrupt image files", lambda t: [*FOLDER, MORE, f"--set=data.dir={image_folder(t / 'bad', {'a.png': b'not a png', 'b.jpg': b''})}"], "2 unreadable"),
    ("idx-truncated", "truncated IDX file", lambda t: [*IDX, MORE, f"--set=data.dir={idx_folder(t / 'trunc', images=_idx([0, 0, 8, 3], truncate=100)[0])}"], "train-images-idx3-ubyte"),
    ("idx-magic", "IDX file with a wrong magic number", lambda t: [*IDX, MORE, f"--set=data.dir={idx_folder(t / 'magic', images=_idx([7, 7, 8, 3])[0])}"], "train-images-idx3-ubyte"),
    ("idx-labels", "IDX labels out of range (12)", lambda t: [*IDX, MORE, f"--set=data.dir={idx_folder(t / 'labels', labels=_idx([0, 0, 8, 3], label=12)[1])}"], "12"),
    ("idx-count", "IDX image and label counts differ", lambda t: [*IDX, MORE, f"--set=data.dir={idx_folder(t / 'count', labels=_idx([0, 0, 8, 3], n_lab=3)[1])}"], "3"),
    ("tfds-offline", "TFDS dataset not prepared, downloads off", lambda t: [*TFDS, MORE, f"--set=data.data_dir={t / 'tfds'}", "--set=data.download=false"], "mnist"),
    ("workdir-unwritable", "workdir below a regular file", lambda t: ["--experiment=ring8_gan", f"--workdir={blocker(t)}/run"], "Cannot write to workdir"),
    ("other-architecture", "resume a run with another model.width", lambda t: ["--experiment=ring8_gan", f"--workdir={t / 'run'}", *TINY, "--set=model.width=16"], "holds a different run (model.width: 8 -> 16)"),
    ("checkpoint-mismatch", "sample a run's checkpoint as another architecture", lambda t: ["--mode=sample", f"--workdir={t / 'run'}", "--set=model.width=16"], "does not match this model"),
    ("checkpoint-corrupt", "every checkpoint truncated", lambda t: ["--mode=sample", f"--workdir={corrupt_checkpoint(t)}"], "None of the 2 checkpoints"),
    ("no-checkpoint", "sample a run folder that has no checkpoint yet", lambda t: ["--mode=sample", f"--workdir={no_checkpoint(t)}"], "No checkpoint"),
    ("not-a-run", "sample a folder that is not a run", lambda t: ["--mode=export", f"--workdir={t}"], "not a ganzoo run folder"),
    ("config-corrupt", "a run folder whose config.json is corrupt", lambda t: ["--mode=sample", f"--workdir={corrupt_config(t)}"], "cannot be read as a ganzoo config"),
    ("non-finite", "resume a run at a G learning rate of 1e30 (losses go NaN)", lambda t: [*EXPLODING, "--set=train.steps=10", "--set=train.max_rollbacks=1"], "Non-finite"),
    ("disk-full", "disk full while writing a checkpoint (simulated)", lambda t: ["--experiment=ring8_gan", f"--workdir={t / 'run'}", *TINY, "--set=train.steps=20"], "No space left on device"),
]  # fmt: skip


def blocker(tmp):
    path = tmp / "a_file"
    path.write_text("in the way")
    return path


def corrupt_checkpoint(tmp):
    # Both (5 and 10): a damaged newest one alone is set aside for the one before it.
    ckdir = tmp / "run" / "checkpoints"
    for name in os.listdir(ckdir):
        if name.startswith(("ckpt-5.data", "ckpt-10.data")):
            with open(ckdir / name, "r+b") as f:
                f.truncate(8)
    return tmp / "run"


def no_checkpoint(tmp):
    shutil.rmtree(tmp / "run" / "checkpoints")
    return tmp / "run"


def corrupt_config(tmp):
    (tmp / "run" / "config.json").write_text("{ not json")
    return tmp / "run"


# The real run each case works on (the rest: "ring8", TINY's 10 steps, checkpoints at 5, 10).
RUN_OF = {
    **{c: "folder" for c in ("folder-missing", "folder-empty", "folder-corrupt")},
    **{c: "idx" for c in ("idx-truncated", "idx-magic", "idx-labels", "idx-count")},
    "tfds-offline": "tfds",
    "non-finite": "exploding",
}
# Cases that resume training before they fail: what they may write. Every checkpoint, and every
# other file there was, stays as it was; config.json is rewritten with the resumed settings
# (train.steps, train.max_rollbacks) and must still hold the same run.
TRAINS_ON = {
    "disk-full": ("run/train_log.jsonl", "run/tensorboard/", "run/samples/", "run/config.json"),
    "non-finite": ("run/tensorboard/", "run/config.json"),
}


def train_runs(root) -> dict:
    """{kind: folder of a real run}: ring8 (10 steps), two-step DCGANs on an image folder, on
    IDX files and on (mocked) TFDS MNIST, and a one-step ring8 run whose next step is NaN."""
    import numpy as np
    import tensorflow_datasets as tfds

    pictures = {f"{i}.png": np.full((64, 64, 3), 40 * i, np.uint8) for i in range(4)}
    runs = {
        "ring8": ["--experiment=ring8_gan", *TINY],
        "folder": [*FOLDER, f"--set=data.dir={image_folder(root / 'pictures', pictures)}"],
        "idx": [*IDX, f"--set=data.dir={idx_folder(root / 'idx')}"],
        "tfds": [*TFDS, f"--set=data.data_dir={root / 'tfds'}"],
        "exploding": EXPLODING,
    }
    for kind, flags in runs.items():
        with tfds.testing.mock_data(num_examples=4) if kind == "tfds" else contextlib.nullcontext():
            assert cli(*flags, f"--workdir={root / kind}") == 0, kind
        assert (root / kind / "config.json").exists() and (root / kind / "checkpoints").is_dir()
    return {kind: root / kind for kind in runs}


def case_args(case, runs, tmp) -> list[str]:
    """Copies the case's real run to tmp/run and returns its CLI arguments (--workdir=tmp/run
    unless the case names another)."""
    name, _, make_args, _ = case
    shutil.copytree(runs[RUN_OF.get(name, "ring8")], tmp / "run")
    args = make_args(tmp)
    if not any(a.startswith("--workdir=") for a in args):
        args.append(f"--workdir={tmp / 'run'}")
    return args


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory):
    return train_runs(tmp_path_factory.mktemp("trained"))


def _disk_full(monkeypatch):
    def no_space(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tf.train.Checkpoint, "write", no_space)


def assert_left_as_it_was(name, before, after):
    """Every file under the case's folder (the run, its data, what the case made) has the same
    bytes and mtime; a case that trains on may only add or grow TRAINS_ON's files."""
    if name not in TRAINS_ON:
        assert after == before, _changes(before, after)
        return
    may_change = TRAINS_ON[name]
    kept = {k: v for k, v in before.items() if not k.startswith(may_change)}
    assert {k: after.get(k) for k in kept} == kept, _changes(before, after)
    assert set(before) <= set(after), _changes(before, after)
    added = set(after) - set(before)
    assert all(k.startswith(may_change) for k in added), _changes(before, after)


def _changes(before, after) -> str:
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return f"files added, removed or changed: {changed}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case, real_runs, tmp_path, capsys, monkeypatch):
    name, expected = case[0], case[3]
    args = case_args(case, real_runs, tmp_path)
    if name == "disk-full":
        _disk_full(monkeypatch)
    before = snapshot(tmp_path)
    saved = Workdir(str(tmp_path / "run")).read_config() if name in TRAINS_ON else None
    capsys.readouterr()
    code = cli(*args)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ganzoo: error: "), err
    assert expected in lines[0], lines[0]
    assert "Traceback" not in err
    assert_left_as_it_was(name, before, snapshot(tmp_path))
    if name in TRAINS_ON:  # config.json took the resumed run's steps, and is still that run
        Workdir(str(tmp_path / "run")).check_compatible(saved)


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25


def _print_table(out: str = "") -> None:
    """Runs every case outside pytest and prints docs/reliability.md's table; with `out`, also
    writes the results file the doc renders it from (docs.renderers.reliability)."""
    import contextlib
    import datetime
    import io
    import json
    import pathlib
    import platform
    import tempfile

    cases = []
    with tempfile.TemporaryDirectory() as base:
        base = pathlib.Path(base)
        with contextlib.redirect_stdout(io.StringIO()):
            runs = train_runs(base / "trained")
        print("| input | exit | message |\n|---|---|---|")
        for case in CASES:
            name, what = case[0], case[1]
            tmp = base / name
            tmp.mkdir()
            args = case_args(case, runs, tmp)
            patch = pytest.MonkeyPatch()
            if name == "disk-full":
                _disk_full(patch)
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                code = cli(*args)
            patch.undo()
            message = err.getvalue().strip().replace(str(tmp), "DIR")
            message = message.removeprefix("ganzoo: error: ")
            cases.append({"case": name, "input": what, "exit": code, "message": message})
            cell = message.replace("|", "\\|")
            print(f"| {what} | {code} | `{cell}` |")
        sys.stdout.flush()
    if out:
        record = {
            "command": "python tests/test_bad_inputs.py " + " ".join(sys.argv[1:]),
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
            "load_average": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
            "cases": cases,
        }
        with open(out, "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")


if __name__ == "__main__":  # prints docs/reliability.md's table from the real messages
    # python tests/test_bad_inputs.py [--json=docs/results/bad_inputs.json]
    _print_table(next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--json=")), ""))
