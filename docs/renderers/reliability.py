"""docs/reliability.md's bad-input table, from the messages `python tests/test_bad_inputs.py
--json=docs/results/bad_inputs.json` recorded."""

from __future__ import annotations

from docs.tables import markdown_table


def bad_inputs_table(results: dict) -> str:
    """One row per bad input: what it is, the exit status, the one-line message (DIR stands for
    the temporary folder of the case)."""
    rows = [
        [case["input"], case["exit"], "`" + case["message"].replace("|", "\\|") + "`"]
        for case in results["cases"]
    ]
    return markdown_table(["input", "exit", "message"], rows)
