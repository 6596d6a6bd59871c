"""Every table of figures in README.md and docs/*.md, rendered from its committed results file.

    python docs/tables.py            # re-render every table block in place
    python docs/tables.py --check    # exit 1, naming each block that differs from its render

A table block names its results file and the function that renders it:

    <!-- table: docs/results/zoo_ring8.json benchmarks.zoo_results:modes_table ring8 -->
    ...markdown written by the function...
    <!-- end table -->

The function (`module:function`, imported from the repository root) is called with the loaded
results (JSON; a `.jsonl` file gives a list of records; `-` gives None, for tables rendered
from code such as the experiment registry) and the marker's remaining words as strings, and
returns the markdown that goes between the two marker lines.

Two other kinds of table are allowed, and every other table is an error (`--check`):

    <!-- historical: COMMIT -->
    *Historical (COMMIT): why these figures can no longer be re-run.*
    ...the table as it was published...
    <!-- end historical -->

    <!-- not measured -->
    ...a table that holds no figure measured by the project (options, names, published numbers)...
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import importlib
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = re.compile(r"^<!-- table: (\S+) (\S+)((?: \S+)*) -->$")
END = "<!-- end table -->"
HISTORICAL = re.compile(r"^<!-- historical: ([0-9a-f]{7,40}) -->$")
HISTORICAL_END = "<!-- end historical -->"
NOT_MEASURED = "<!-- not measured -->"


@dataclasses.dataclass
class Block:
    """One `table:` block of a markdown file: lines [start, end) hold the rendered text."""

    path: str
    line: int  # 1-based line of the begin marker
    results: str
    renderer: str
    args: tuple[str, ...]
    start: int
    end: int


def doc_files(root: str = ROOT) -> list[str]:
    """README.md and every docs/*.md, as paths relative to root."""
    docs = sorted(f for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
    return ["README.md"] + [os.path.join("docs", f) for f in docs]


def blocks(path: str, lines: list[str]) -> list[Block]:
    """The table blocks of one file; a begin marker without its end is an error."""
    found = []
    for i, line in enumerate(lines):
        match = BEGIN.match(line)
        if not match:
            continue
        try:
            end = lines.index(END, i + 1)
        except ValueError:
            raise ValueError(f"{path}:{i + 1}: '{line}' has no '{END}' after it") from None
        results, renderer, rest = match.groups()
        found.append(Block(path, i + 1, results, renderer, tuple(rest.split()), i + 1, end))
    return found


def load_results(results: str, root: str = ROOT):
    """The results a block names: JSON, a list of records for .jsonl, None for '-'."""
    if results == "-":
        return None
    with open(os.path.join(root, results)) as f:
        if results.endswith(".jsonl"):
            return [json.loads(line) for line in f if line.strip()]
        return json.load(f)


def render(block: Block, root: str = ROOT) -> list[str]:
    """The lines the block's function writes for its results."""
    module, _, function = block.renderer.partition(":")
    if not function:
        raise ValueError(
            f"{block.path}:{block.line}: renderer '{block.renderer}' is not module:function"
        )
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)  # renderers live in the repository (benchmarks, ganzoo, ...)
    render_fn = getattr(importlib.import_module(module), function)
    text = render_fn(load_results(block.results, root), *block.args)
    return text.strip("\n").split("\n")


def _table_starts(lines: list[str]) -> list[int]:
    """Indices of the first line of each markdown table (a '|' line after a non-'|' line)."""
    return [
        i
        for i, line in enumerate(lines)
        if line.startswith("|") and (i == 0 or not lines[i - 1].startswith("|"))
    ]


def _covered(lines: list[str], path: str) -> tuple[set[int], list[str]]:
    """Line indices inside table or historical blocks, and the problems with historical ones."""
    covered, problems = set(), []
    for block in blocks(path, lines):
        covered.update(range(block.start, block.end))
    for i, line in enumerate(lines):
        match = HISTORICAL.match(line)
        if not match:
            continue
        if HISTORICAL_END not in lines[i + 1 :]:
            problems.append(f"{path}:{i + 1}: historical block without '{HISTORICAL_END}'")
            continue
        end = lines.index(HISTORICAL_END, i + 1)
        body = "\n".join(lines[i + 1 : end])
        if f"Historical ({match.group(1)}" not in body:
            problems.append(
                f"{path}:{i + 1}: say 'Historical ({match.group(1)}): why' in the block"
            )
        covered.update(range(i, end))
    return covered, problems


def unclassified_tables(path: str, lines: list[str]) -> list[str]:
    """Problems: tables outside any block and not marked `not measured`, bad historical blocks."""
    covered, problems = _covered(lines, path)
    for i in _table_starts(lines):
        previous = next((line for line in reversed(lines[:i]) if line.strip()), "")
        if i not in covered and previous != NOT_MEASURED:
            problems.append(
                f"{path}:{i + 1}: table outside a 'table:' or 'historical:' block and not "
                f"marked '{NOT_MEASURED}'"
            )
    return problems


def process(path: str, write: bool, root: str = ROOT) -> list[str]:
    """Re-render (write=True) or compare each block of one file; returns the problems."""
    full = os.path.join(root, path)
    with open(full) as f:
        lines = f.read().split("\n")
    problems, new = unclassified_tables(path, lines), list(lines)
    for block in reversed(blocks(path, lines)):
        rendered = render(block, root)
        if rendered != lines[block.start : block.end]:
            if not write:
                diff = difflib.unified_diff(
                    lines[block.start : block.end], rendered, lineterm="", n=0
                )
                shown = "\n    ".join(list(diff)[2:8])
                problems.append(f"{path}:{block.line}: differs from {block.results}:\n    {shown}")
            new[block.start : block.end] = rendered
    if write and new != lines:
        with open(full, "w") as f:
            f.write("\n".join(new))
    return problems


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A markdown table: for renderers, so every table is drawn the same way."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    parser.add_argument("files", nargs="*", help="markdown files (default README.md, docs/*.md)")
    args = parser.parse_args(argv)
    problems = []
    for path in args.files or doc_files():
        problems += process(path, write=not args.check)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
