"""The run folder's atomic writes: a failed write leaves the old file (or folder) as it was and
no temporary name behind; `require_config` names what the caller expects."""

import json
import os

import numpy as np
import pytest

from ganzoo import workdir as workdir_lib
from ganzoo.errors import WorkdirError


def test_atomic_writes_create_the_folder_and_leave_no_temporary_name(tmp_path):
    folder = tmp_path / "a" / "b"
    workdir_lib.atomic_write_text(str(folder / "t.txt"), "héllo\n")
    workdir_lib.atomic_write_bytes(str(folder / "b.bin"), b"\x00\x01")
    workdir_lib.atomic_write_json(str(folder / "j.json"), {"b": 1, "a": [1.5]})
    workdir_lib.atomic_save_npy(str(folder / "x.npy"), np.arange(6).reshape(2, 3))
    assert sorted(os.listdir(folder)) == ["b.bin", "j.json", "t.txt", "x.npy"]
    assert (folder / "t.txt").read_text(encoding="utf-8") == "héllo\n"
    assert (folder / "b.bin").read_bytes() == b"\x00\x01"
    assert json.loads((folder / "j.json").read_text()) == {"a": [1.5], "b": 1}
    np.testing.assert_array_equal(np.load(folder / "x.npy"), np.arange(6).reshape(2, 3))


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError), workdir_lib.atomic_path(str(path)) as tmp:
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]


def test_atomic_path_keeps_a_suffix_for_writers_that_need_one(tmp_path):
    with workdir_lib.atomic_path(str(tmp_path / "m.keras"), suffix=".keras") as tmp:
        assert tmp.endswith(".keras") and tmp != str(tmp_path / "m.keras")
        open(tmp, "w").close()
    assert os.listdir(tmp_path) == ["m.keras"]


def _write_folder(text):
    def write(folder):
        os.makedirs(folder)
        with open(os.path.join(folder, "file"), "w") as f:
            f.write(text)

    return write


def test_replace_dir_swaps_a_complete_folder_in_and_keeps_the_old_one_on_failure(tmp_path):
    path = str(tmp_path / "export" / "model")
    workdir_lib.replace_dir(path, _write_folder("first"))
    workdir_lib.replace_dir(path, _write_folder("second"))
    assert open(os.path.join(path, "file")).read() == "second"

    def fails(folder):
        _write_folder("third")(folder)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        workdir_lib.replace_dir(path, fails)
    assert open(os.path.join(path, "file")).read() == "second"
    assert os.listdir(tmp_path / "export") == ["model"]


def test_require_config_says_what_the_folder_is_not_and_what_is_expected(tmp_path):
    wd = workdir_lib.Workdir(str(tmp_path))
    with pytest.raises(
        WorkdirError,
        match=r"has no config.json: it is not a ganzoo run folder\. "
        r"Train first with --experiment=NAME --workdir=DIR\.",
    ):
        wd.require_config()
    with pytest.raises(WorkdirError, match="Pass the folders of trained runs"):
        wd.require_config("Pass the folders of trained runs to --mode=judge.")
