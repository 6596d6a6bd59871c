"""README.md and docs/*.md agree with their committed results files (docs/tables.py)."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tables():
    spec = importlib.util.spec_from_file_location(
        "doc_tables", os.path.join(ROOT, "docs", "tables.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["doc_tables"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


tables = _tables()


@pytest.mark.parametrize("path", tables.doc_files())
def test_every_table_matches_its_results_file(path):
    """Each `table:` block is what its function renders from its results file, and every
    other table is marked historical (with its commit) or not measured."""
    problems = tables.process(path, write=False)
    assert not problems, "\n".join(problems) + "\nrun: python docs/tables.py"


def test_every_results_file_named_by_a_doc_exists():
    for path in tables.doc_files():
        with open(os.path.join(ROOT, path)) as f:
            for block in tables.blocks(path, f.read().split("\n")):
                if block.results != "-":
                    assert os.path.isfile(os.path.join(ROOT, block.results)), (path, block.line)


def _doc(tmp_path, text: str, results: dict | None = None):
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text(text)
    if results is not None:
        import json

        (tmp_path / "docs" / "r.json").write_text(json.dumps(results))
    return tmp_path


def render_rows(results, unit="s"):
    """A renderer for the tests below: one row per record."""
    rows = ["| run | time |", "|---|---|"]
    return "\n".join(rows + [f"| {r['name']} | {r['time']} {unit} |" for r in results["runs"]])


def test_check_names_a_changed_figure_and_write_repairs_it(tmp_path):
    renderer = "tests.test_doc_tables:render_rows"
    text = (
        f"intro\n<!-- table: docs/r.json {renderer} ms -->\n| run | time |\n|---|---|\n"
        "| a | 3 ms |\n<!-- end table -->\n"
    )
    root = _doc(tmp_path, text, {"runs": [{"name": "a", "time": 4}]})
    problems = tables.process("README.md", write=False, root=str(root))
    assert len(problems) == 1 and "README.md:2: differs from docs/r.json" in problems[0]
    assert "-| a | 3 ms |" in problems[0] and "+| a | 4 ms |" in problems[0]
    assert tables.process("README.md", write=True, root=str(root)) == []
    assert "| a | 4 ms |" in (root / "README.md").read_text()
    assert tables.process("README.md", write=False, root=str(root)) == []


def test_unmarked_tables_and_unexplained_history_are_refused(tmp_path):
    text = (
        "| a | b |\n|---|---|\n\n<!-- not measured -->\n| c | d |\n|---|---|\n\n"
        "<!-- historical: abc1234 -->\n| e | f |\n|---|---|\n<!-- end historical -->\n\n"
        "<!-- historical: abc1234 -->\n*Historical (abc1234): runs lost.*\n| g |\n|---|\n"
        "<!-- end historical -->\n"
    )
    root = _doc(tmp_path, text)
    problems = tables.process("README.md", write=False, root=str(root))
    assert problems == [
        "README.md:8: say 'Historical (abc1234): why' in the block",
        "README.md:1: table outside a 'table:' or 'historical:' block and not marked "
        "'<!-- not measured -->'",
    ]


def test_a_table_block_without_its_end_is_an_error(tmp_path):
    root = _doc(tmp_path, "<!-- table: docs/r.json m:f -->\n| a |\n")
    with pytest.raises(ValueError, match="README.md:1: .* has no '<!-- end table -->'"):
        tables.process("README.md", write=False, root=str(root))
