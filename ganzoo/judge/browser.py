"""Headless Chromium (Debian's `chromium` package) driven through Playwright, for the judging
page's browser test and its documentation screenshot.

`python -m ganzoo.judge.browser --workdir=DIR [--workdir=DIR2] --out=page.png [--answers=N]
[--summary_out=summary.png]` serves the page on a free port (answers to a throwaway folder),
answers N images (alternately Real by a click and F by the key), saves a screenshot, and with
--summary_out clicks Stop and saves one of the score.
Playwright only drives the browser here (`pip install playwright`; `playwright install` is not
needed: the system's Chromium is used).
"""

from __future__ import annotations

import os
import shutil
import tempfile

# No sandbox (containers run as root), no GPU, and nothing that reaches the network by itself.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str | None:
    """The system Chromium, or None ($GANZOO_CHROMIUM overrides the search)."""
    override = os.environ.get("GANZOO_CHROMIUM")
    if override:
        return override if os.path.exists(override) else None
    for path in CHROMIUM_CANDIDATES:
        if os.path.exists(path):
            return path
    return shutil.which("chromium")


def launch(playwright, user_data_dir: str, viewport=(820, 700)):
    """A persistent browser context on a fresh profile folder (`user_data_dir`)."""
    return playwright.chromium.launch_persistent_context(
        user_data_dir,
        executable_path=chromium_path(),
        headless=True,
        args=list(CHROMIUM_ARGS),
        viewport={"width": viewport[0], "height": viewport[1]},
    )


def answer_on_page(page, which: str, how: str, timeout_ms: int = 20_000) -> str:
    """Answers the image shown ('real' / 'fake') by a click or a key ('click' / 'key') once the
    buttons are enabled (the image has loaded); waits until the progress counter moves on.
    Returns the id of the image answered."""
    button = "#real-btn" if which == "real" else "#fake-btn"
    page.wait_for_selector(f"{button}:not([disabled])", timeout=timeout_ms)
    image_id = page.get_attribute("#image", "src").rsplit("/", 1)[-1].removesuffix(".png")
    before = page.text_content("#progress")
    if how == "click":
        page.click(button)
    else:
        page.keyboard.press("r" if which == "real" else "f")
    page.wait_for_function(
        "before => document.getElementById('progress').textContent !== before",
        arg=before,
        timeout=timeout_ms,
    )
    return image_id


def screenshot(
    workdirs: list[str],
    out: str,
    answers: int,
    overrides: dict | None = None,
    summary_out: str | None = None,
) -> None:
    """Serves `workdirs` (a throwaway session), answers `answers` images, saves a screenshot
    (and one of the score after Stop to `summary_out`)."""
    from playwright.sync_api import sync_playwright

    from ganzoo import config as config_lib
    from ganzoo.experiment import validate
    from ganzoo.judge import judge_lib
    from ganzoo.judge.server import serve_in_thread, url
    from ganzoo.workdir import Workdir

    settings = {"judge.port": 0, "judge.session": "screenshot", **(overrides or {})}
    config = validate(config_lib.apply_overrides(Workdir(workdirs[0]).read_config(), settings))
    profile = tempfile.mkdtemp(prefix="ganzoo-chromium-")
    # The scripted answers go to a throwaway folder, not into the run's human_eval/.
    server, _, _ = judge_lib.start(workdirs, config, answers_dir=profile)
    serve_in_thread(server)
    try:
        with sync_playwright() as p:
            context = launch(p, profile)
            page = context.new_page()
            page.goto(url(server))
            for i in range(answers):
                answer_on_page(page, ("real", "fake")[i % 2], ("click", "key")[i % 2])
            page.wait_for_selector("#real-btn:not([disabled])")
            page.screenshot(path=out, full_page=True)
            if summary_out:
                page.click("#stop-btn")
                page.wait_for_selector("#hype")
                page.screenshot(path=summary_out, full_page=True)
            context.close()
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", action="append", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--summary_out", default=None)
    parser.add_argument("--set", action="append", default=[], help="judge.key=value")
    args = parser.parse_args(argv)
    from ganzoo.config import parse_set_flags

    screenshot(args.workdir, args.out, args.answers, parse_set_flags(args.set), args.summary_out)
    print(f"Wrote {args.out}" + (f" and {args.summary_out}" if args.summary_out else ""))


if __name__ == "__main__":
    main()
