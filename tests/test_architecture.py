"""The package's shape, checked on its source (docs/architecture.md): layers without cycles,
shared code that never asks which family runs, a small top level, short shared functions."""

import ast
import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_TOP_LEVEL_MODULES = 20
MAX_SHARED_FUNCTION_LINES = 60
# Rank tests that remain in shared code: whether an array holds images or 2-D points (both
# the image family's), never which family runs. Anything else the patterns find fails.
ALLOWED_RANK_TESTS = {
    ("ganzoo/images.py", "if samples.ndim == 4:"),
    ("ganzoo/images.py", "if samples.ndim == 2 and samples.shape[1] == 2:"),
    ("ganzoo/edit_lib.py", "if rows.ndim == 5:"),
    (
        "ganzoo/edit_lib.py",
        'if grouper is not None and grouper.kind == "classifier" and rows.ndim == 5:',
    ),
}


def _tool():
    spec = importlib.util.spec_from_file_location(
        "make_architecture", os.path.join(ROOT, "docs", "make_architecture.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def analysis():
    return _tool().analyse(ROOT, None, run=False)


def test_no_import_cycles_counting_imports_inside_functions(analysis):
    cycles = analysis["imports"]["all_cycles"]
    assert cycles == [], f"import cycles: {cycles}"


def test_each_layer_imports_only_the_layers_below_it(analysis):
    """errors/registry/config -> core -> families (a family may build on one listed before
    it in BUILTIN) -> train_lib/eval_lib/edit_lib/judge -> run."""
    upward = analysis["layers"]["upward_or_sideways_edges"]
    assert upward == [], "\n".join(upward)


def test_shared_code_never_asks_which_family_runs(analysis):
    found = analysis["family_checks"]["occurrences"]
    unexpected = [
        f"{o['file']}:{o['line']} ({o['pattern']}) {o['text']}"
        for o in found
        if (o["file"], o["text"]) not in ALLOWED_RANK_TESTS
    ]
    assert unexpected == [], "\n".join(unexpected)
    # Shared modules import no family module: but the public API (ganzoo/__init__ re-exports
    # the families' GAN classes by name) and the families package's BUILTIN list of names.
    imports = analysis["shared_imports_of_family_modules"]["per_file"]
    reached = {
        (path, target)
        for path, targets in imports.items()
        for target in targets
        if path != "ganzoo/__init__.py" and target != "ganzoo.families"
    }
    assert reached == set()


def test_the_top_level_package_is_small(analysis):
    top = analysis["modules"]["top_level"]
    assert top <= MAX_TOP_LEVEL_MODULES, f"{top} modules directly in ganzoo/"


def _shared_files():
    for folder, _, files in os.walk(os.path.join(ROOT, "ganzoo")):
        if os.sep + "families" in folder:
            continue
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def test_shared_functions_fit_on_a_screen():
    long = []
    for path in _shared_files():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_SHARED_FUNCTION_LINES:
                    long.append(f"{os.path.relpath(path, ROOT)}:{node.lineno} {node.name} {lines}")
    assert long == [], "functions over 60 lines in shared code:\n" + "\n".join(long)


def test_importing_the_config_loads_no_tensorflow():
    code = (
        "import sys, ganzoo, ganzoo.config\n"
        "ganzoo.config.base_config()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"
