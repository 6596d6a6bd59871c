"""The answers file: one synced line per answer, torn lines survived, sessions kept apart."""

import json
import os

import pytest

from ganzoo.judge.answers import AnswerLog, DuplicateAnswer, JudgeError, check_session


def test_each_answer_is_a_line_on_disk_and_a_reopened_log_continues(tmp_path):
    path = str(tmp_path / "human_eval" / "s.jsonl")
    log = AnswerLog(path)
    log.append({"id": "a1", "answer": "real", "source": "fake"})
    # On disk before append returns: another reader sees it now.
    with open(path) as f:
        assert [json.loads(line)["id"] for line in f] == ["a1"]
    log.append({"id": "b2", "answer": "fake", "source": "fake"})
    with pytest.raises(DuplicateAnswer):
        log.append({"id": "a1", "answer": "fake", "source": "fake"})
    again = AnswerLog(path)
    assert [r["id"] for r in again.records] == ["a1", "b2"] and again.answered == {"a1", "b2"}


def test_a_line_torn_by_a_kill_is_skipped_and_the_next_answer_starts_a_new_line(tmp_path):
    path = str(tmp_path / "s.jsonl")
    with open(path, "w") as f:
        f.write('{"id": "a1", "answer": "real"}\n{"id": "b2", "ans')  # killed mid-write
    log = AnswerLog(path)
    assert log.torn_lines == 1 and [r["id"] for r in log.records] == ["a1"]
    log.append({"id": "c3", "answer": "fake"})
    reread = AnswerLog(path)
    assert [r["id"] for r in reread.records] == ["a1", "c3"] and reread.torn_lines == 1


def test_a_session_restarted_on_other_images_is_refused(tmp_path):
    path = str(tmp_path / "human_eval" / "s.session.json")
    description = {"runs": [{"name": "a", "step": 10}], "seed": 0, "paths": {"a": "/x"}}
    check_session(path, description)
    assert os.path.exists(path)
    check_session(path, {**description, "paths": {"a": "/moved"}})  # a moved folder is fine
    with pytest.raises(JudgeError, match=r"Session 's' was started with other images \(runs: "):
        check_session(path, {**description, "runs": [{"name": "a", "step": 20}]})
    with pytest.raises(JudgeError, match="--set judge.session=NEW_NAME"):
        check_session(path, {**description, "seed": 1})
