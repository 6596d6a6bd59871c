"""docs/make_architecture.py on a small made-up ganzoo/ tree: imports at any depth, cycles,
family checks in shared files only, layers. (No plain run: --no-run; no TensorFlow.)"""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, "docs", "make_architecture.py")

TREE = {
    "ganzoo/__init__.py": "from ganzoo.config import Config\n",
    "ganzoo/config.py": """
        from ganzoo import errors

        def validate(config):
            from ganzoo import train_lib  # deferred: a cycle at any depth only
            if config.cyclegan.enabled:
                pass
            if config.model.arch in ("dcgan", "mlp"):  # shared archs: no family check
                pass
    """,
    "ganzoo/errors.py": "",
    "ganzoo/train_lib.py": """
        from typing import TYPE_CHECKING

        import ganzoo.config
        from ganzoo.data import pipeline as data_pipeline
        from ganzoo.families.video.gan import VideoGAN

        if TYPE_CHECKING:
            from ganzoo import run  # never runs: no edge

        def sample(config, gan, samples):
            if text_lib.is_text(config) and speech.is_audio(config):  # one statement
                pass
            if isinstance(gan, VideoGAN) or getattr(gan, "num_classes", 0):
                pass
            if samples.ndim == 4:
                pass
            if model.arch == "biggan":
                pass
            if samples.ndim != 2:
                raise ValueError("validation, not a check")
    """,
    "ganzoo/run.py": "from ganzoo import train_lib\n",
    "ganzoo/data/__init__.py": "",
    "ganzoo/data/pipeline.py": """
        from . import idx
        from .idx import read
        from .. import config
    """,
    "ganzoo/data/idx.py": "def read():\n    pass\n",
    "ganzoo/families/__init__.py": "",
    "ganzoo/families/video/__init__.py": "",
    "ganzoo/families/video/gan.py": """
        from ganzoo import train_lib

        def f(config):
            return is_video(config) and config.model.conditioning != "none"
    """,
}


def _load():
    spec = importlib.util.spec_from_file_location("make_architecture", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(tmp_path):
    for path, text in TREE.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return str(tmp_path)


def test_counts_imports_cycles_checks_and_layers(tmp_path):
    arch = _load()
    r = arch.analyse(_tree(tmp_path), None, run=False)

    assert r["modules"]["top_level"] == 5 and r["modules"]["total"] == 11
    edges = {(a, b): kind for a, b, kind in r["imports"]["edges"]}
    assert edges[("ganzoo.config", "ganzoo.train_lib")] == "deferred"
    assert edges[("ganzoo.train_lib", "ganzoo.config")] == "top"
    assert edges[("ganzoo.train_lib", "ganzoo.data.pipeline")] == "top"
    assert edges[("ganzoo.train_lib", "ganzoo.run")] == "type_only"
    assert edges[("ganzoo.data.pipeline", "ganzoo.data.idx")] == "top"
    assert edges[("ganzoo.data.pipeline", "ganzoo.config")] == "top"
    # config -> train_lib (deferred) -> data.pipeline -> config; train_lib <-> video.gan
    assert r["imports"]["any_depth"]["largest_cycle"] == [
        "ganzoo.config",
        "ganzoo.data.pipeline",
        "ganzoo.families.video.gan",
        "ganzoo.train_lib",
    ]
    assert r["imports"]["import_time"]["largest_cycle"] == [
        "ganzoo.families.video.gan",
        "ganzoo.train_lib",
    ]

    checks = r["family_checks"]
    assert checks["family_files"] == [
        "ganzoo/families/__init__.py",
        "ganzoo/families/video/__init__.py",
        "ganzoo/families/video/gan.py",
    ]
    # train_lib: the predicates (one statement), isinstance, getattr, samples.ndim == 4, the
    # biggan arch; config: cyclegan.enabled. The family file's checks do not count.
    assert checks["per_file"] == {"ganzoo/train_lib.py": 5, "ganzoo/config.py": 1}
    assert checks["raw_matches"] == 7
    assert r["shared_imports_of_family_modules"]["per_file"] == {
        "ganzoo/train_lib.py": ["ganzoo.families.video.gan"]
    }

    layers = r["layers"]
    assert layers["view"] == "layers"
    assert layers["boxes"]["families/video"] == [
        "ganzoo.families.video",
        "ganzoo.families.video.gan",
    ]
    # the families package (BUILTIN names only) is in the foundation, like config
    assert layers["boxes"]["foundation"] == ["ganzoo.config", "ganzoo.errors", "ganzoo.families"]
    assert "ganzoo.train_lib" in layers["boxes"]["libraries"]
    assert any(
        e.startswith("ganzoo.config (foundation) -> ganzoo.train_lib")
        for e in layers["upward_or_sideways_edges"]
    )


def test_before_tree_rule_and_command_line(tmp_path):
    root = _tree(tmp_path / "tree")
    # A tree without ganzoo/families/: the family modules are named.
    os.rename(os.path.join(root, "ganzoo", "families"), os.path.join(root, "ganzoo", "fam"))
    out_json, out_png = tmp_path / "a.json", tmp_path / "a.png"
    proc = subprocess.run(
        [
            sys.executable,
            SCRIPT,
            f"--root={root}",
            "--no-run",
            "--family-modules=fam/*",
            f"--json={out_json}",
            f"--png={out_png}",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    r = json.loads(out_json.read_text())
    assert r["layers"]["view"] == "folders"
    assert r["family_checks"]["per_file"] == {"ganzoo/train_lib.py": 5, "ganzoo/config.py": 1}
    assert "ganzoo/fam/video/gan.py" in r["family_checks"]["family_files"]
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_before_after_table_renders_the_two_committed_json_files():
    arch = _load()
    with open(os.path.join(REPO, "docs", "architecture_after.json"), encoding="utf-8") as f:
        after = json.load(f)
    lines = arch.before_after_table(after, "docs/architecture_before.json").splitlines()
    before_commit = "f19f832"
    assert lines[0] == f"|  | before ({before_commit}) | after ({after['commit_short']}) |"
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1:] for line in lines[2:]}
    assert rows["modules directly in `ganzoo/`"] == [
        "38",
        str(after["modules"]["top_level"]) + " |",
    ]
    assert rows["largest import cycle (imports at any depth)"][0] == "19 modules (and one of 8)"
    assert rows["checks in shared files that decide which family runs"][0] == "58 in 11 files"
    assert rows["`import ganzoo.config`"][0] == "loads TensorFlow, 80 ganzoo modules"
