"""The judging page in a real browser: headless Chromium answers 20 images by clicks and by the
R / F keys, stops, continues after a server restart; the answers file and the reported score
must be exactly what was clicked."""

import json
import os

import numpy as np
import pytest
from cli_runner import cli
from debian_packages import needs

from ganzoo.judge import browser, judge_lib
from ganzoo.judge.server import serve_in_thread, url

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = needs("chromium")


def start(workdirs, config):
    server, app, path = judge_lib.start(workdirs, config)
    serve_in_thread(server)
    return server, app, path


def stop(server):
    server.shutdown()
    server.server_close()


def test_twenty_answers_by_click_and_key_are_recorded_and_scored(
    judge_runs, run_copy, tmp_path, capsys
):
    from test_judge_server import judge_config

    plain, conditional = run_copy("plain"), run_copy("conditional")
    config = judge_config(plain, num_images=20, bootstrap=500)
    # The answers: a fixed random pattern; even images by a click, odd ones by a key.
    plan = np.random.default_rng(7).choice(["real", "fake"], size=20).tolist()
    how = ["click" if i % 2 == 0 else "key" for i in range(20)]
    shown = []
    server, app, answers = start([plain, conditional], config)
    try:
        with playwright_api.sync_playwright() as p:
            context = browser.launch(p, str(tmp_path / "profile"))
            page = context.new_page()
            page.goto(url(server))
            page.wait_for_selector("text=0 of 20 answered")
            for i in range(8):
                shown.append(browser.answer_on_page(page, plan[i], how[i]))
            page.click("#stop-btn")  # stop: the score so far, then go on
            page.wait_for_selector("#hype")
            assert "HYPE\u221e" in page.text_content(
                "#hype"
            ) and "over 8 answers" in page.text_content("#hype")
            page.click("#continue-btn")
            for i in range(8, 12):
                shown.append(browser.answer_on_page(page, plan[i], how[i]))
            # The server goes down and comes back (a new port): the session continues.
            stop(server)
            server, app, answers2 = start([plain, conditional], config)
            assert answers2 == answers
            page.goto(url(server))
            page.wait_for_selector("text=12 of 20 answered")
            for i in range(12, 20):
                shown.append(browser.answer_on_page(page, plan[i], how[i]))
            page.wait_for_selector("#hype")  # all done: the summary shows by itself
            page_score = page.text_content("#hype")
            tables = page.text_content("#tables")
            page.screenshot(path=str(tmp_path / "summary.png"), full_page=True)
            context.close()
    finally:
        stop(server)
    with open(answers) as f:
        lines = [json.loads(line) for line in f]
    assert [r["id"] for r in lines] == shown and len(set(shown)) == 20
    assert [r["answer"] for r in lines] == plan
    sources = {im.id: im for im in app.pool.images}
    assert [r["source"] for r in lines] == [sources[i].source for i in shown]
    assert all(isinstance(r["ms"], int) and r["ms"] >= 0 for r in lines)
    wrong = sum(r["answer"] != r["source"] for r in lines)
    expected = f"HYPE\u221e = {100 * wrong / 20:.1f}%"
    assert expected in page_score and "over 20 answers" in page_score
    assert "Per run" in tables and "Per class: conditional" in tables
    # The command line's report gives the same score, and report.json holds it.
    assert (
        cli(
            "--mode=judge",
            f"--workdir={plain}",
            "--set=judge.report=true",
            "--set=judge.bootstrap=500",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f"all: HYPE-infinity {100 * wrong / 20:.1f}% (95% CI " in out
    with open(os.path.join(plain, "human_eval", "report.json")) as f:
        report = json.load(f)
    assert report["overall"]["score"] == pytest.approx(wrong / 20)
    assert report["overall"]["answers"] == 20
    fakes = [r for r in lines if r["source"] == "fake" and r["run"] == "conditional"]
    reals = [r for r in lines if r["source"] == "real"]
    per_run = sum(r["answer"] != r["source"] for r in fakes + reals) / len(fakes + reals)
    assert report["per_run"]["conditional"]["score"] == pytest.approx(per_run)
