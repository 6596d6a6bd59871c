"""Human evaluation (`--mode=judge`): a local real-vs-fake judging page and its HYPE score.

`hype` holds the score (pure functions), `pool` the images shown, `answers` the session file,
`server` the web server and `page` its HTML; `judge_lib` ties them to run folders; `browser`
drives headless Chromium for the browser test and the docs' screenshot.
"""
