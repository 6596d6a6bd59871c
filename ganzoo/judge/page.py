"""The judging page: plain HTML + JS, served inline (no external assets, works offline).

One image at a time; Real / Fake buttons or the R / F keys; a progress counter; Stop shows the
scores so far (HYPE-infinity with its 95% CI, per run and per class) and Continue goes on. The
score stays hidden while judging so that it cannot steer the answers.
"""

PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ganzoo judge: real or fake?</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f4f4; color: #222; }
  main { max-width: 760px; margin: 0 auto; padding: 16px; text-align: center; }
  h1 { font-size: 20px; margin: 8px 0; }
  #how { font-size: 14px; color: #555; margin: 4px 0 8px; }
  #notice { display: none; background: #fff3cd; border: 1px solid #e0c36a; padding: 8px;
            margin: 8px 0; text-align: left; }
  #progress { font-size: 15px; margin: 6px 0 12px; }
  #frame { background: #fff; border: 1px solid #ccc; display: inline-block; padding: 12px;
           min-width: 224px; min-height: 224px; }
  #image { image-rendering: pixelated; display: block; }
  .buttons { margin: 14px 0; }
  button { font-size: 18px; padding: 10px 26px; margin: 0 8px; border-radius: 6px;
           border: 1px solid #888; background: #fff; cursor: pointer; }
  button:disabled { opacity: 0.5; cursor: default; }
  #real-btn { border-color: #2a7d2a; } #fake-btn { border-color: #a33; }
  #stop-btn { font-size: 14px; padding: 6px 14px; }
  #error { color: #a33; min-height: 1.2em; }
  #summary { display: none; background: #fff; border: 1px solid #ccc; padding: 12px;
             text-align: left; }
  table { border-collapse: collapse; margin: 8px 0; }
  td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
  td:first-child, th:first-child { text-align: left; }
  kbd { border: 1px solid #999; border-radius: 3px; padding: 0 4px; background: #eee; }
</style>
</head>
<body>
<main>
  <h1>Real or fake?</h1>
  <p id="how">Each image is either from the dataset or made by a generator. Answer with the
    buttons or the <kbd>R</kbd> / <kbd>F</kbd> keys; take the time you need.</p>
  <div id="notice"></div>
  <div id="progress">Loading...</div>
  <div id="judging">
    <div id="frame"><img id="image" alt="image to judge"></div>
    <div class="buttons">
      <button id="real-btn" disabled>Real <kbd>R</kbd></button>
      <button id="fake-btn" disabled>Fake <kbd>F</kbd></button>
    </div>
    <button id="stop-btn">Stop and show the score</button>
  </div>
  <div id="error"></div>
  <div id="summary">
    <div id="score"></div>
    <div id="tables"></div>
    <button id="continue-btn">Continue judging</button>
  </div>
</main>
<script>
"use strict";
let current = null, shownAt = null, busy = false, stopped = false;
const $ = (id) => document.getElementById(id);

function pct(x) { return (100 * x).toFixed(1) + "%"; }

function showState(state) {
  $("progress").textContent = state.done + " of " + state.total + " answered (session " +
    state.session + ")";
  if (state.notice) { $("notice").style.display = "block"; $("notice").textContent = state.notice; }
  current = state.next;
  if (current === null) { finish(); return; }
  if (stopped) return;
  shownAt = null;
  setButtons(false);
  $("image").src = current.url;
}

function setButtons(on) { $("real-btn").disabled = !on; $("fake-btn").disabled = !on; }

$("image").addEventListener("load", () => {
  if (current !== null) { shownAt = performance.now(); setButtons(true); busy = false; }
});
$("image").addEventListener("error", () => { $("error").textContent = "The image did not load."; });

async function call(method, path, body) {
  const response = await fetch(path, {
    method: method, headers: {"Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body)});
  const payload = await response.json();
  if (!response.ok && response.status !== 409) throw new Error(payload.error || response.status);
  return payload;
}

async function answer(which) {
  if (busy || stopped || current === null || shownAt === null) return;
  busy = true;
  setButtons(false);
  const ms = performance.now() - shownAt;
  try {
    const reply = await call("POST", "/api/answer", {id: current.id, answer: which, ms: ms});
    $("error").textContent = "";
    // 409: already answered (a second tab): carry on with the state it sends or reload it.
    showState(reply.next !== undefined ? reply : await call("GET", "/api/state"));
  } catch (e) {
    $("error").textContent = "Not saved, try again: " + e.message;
    busy = false; setButtons(true);
  }
}

function scoreName(kind) {
  return {hype_infinity: "HYPE\u221e", fake_judged_real: "Fakes judged real (fake-only, not HYPE\u221e)",
          real_judged_fake: "Reals judged fake"}[kind];
}

function row(name, s) {
  if (s.score === null) return "<tr><td>" + name + "</td><td colspan=5>no answers</td></tr>";
  return "<tr><td>" + name + "</td><td>" + pct(s.score) + "</td><td>" + pct(s.ci95[0]) + " - " +
    pct(s.ci95[1]) + "</td><td>" + s.answers + "</td><td>" + s.fakes_judged_real + " / " +
    s.fakes + "</td><td>" + s.reals_judged_fake + " / " + s.reals + "</td></tr>";
}

function table(title, rows) {
  return "<h3>" + title + "</h3><table><tr><th></th><th>score</th><th>95% CI</th><th>answers</th>" +
    "<th>fakes judged real</th><th>reals judged fake</th></tr>" + rows.join("") + "</table>";
}

async function showSummary() {
  const r = await call("GET", "/api/report");
  const o = r.overall;
  $("score").innerHTML = o.score === null ? "<p>No answers yet.</p>" :
    "<p id='hype'><b>" + scoreName(o.kind) + " = " + pct(o.score) + "</b> (95% bootstrap CI " +
    pct(o.ci95[0]) + " - " + pct(o.ci95[1]) + ") over " + o.answers + " answers.</p>" +
    (o.kind === "hype_infinity" ? "<p>The share of wrong answers: 0% = every image told " +
     "apart, 50% = the fakes cannot be told from the reals; higher is more realistic (above " +
     "50%: fakes taken for real more often than reals, 'hyper-realism').</p>" :
     o.kind === "fake_judged_real" ? "<p>No real images were shown, so this is the share of " +
     "fakes judged real, not HYPE∞: it is not comparable with HYPE∞ scores.</p>" : "");
  let html = table("All answers", [row("all", o)]);
  const runs = Object.keys(r.per_run);
  if (runs.length > 1) html += table("Per run (its fakes + the shared reals)",
    runs.map((k) => row(k, r.per_run[k])));
  for (const run of Object.keys(r.per_class)) {
    const classes = Object.keys(r.per_class[run]);
    html += table("Per class: " + run, classes.map((c) => row("class " + c, r.per_class[run][c])));
  }
  $("tables").innerHTML = html;
  $("summary").style.display = "block";
}

async function stop() {
  stopped = true; setButtons(false);
  $("judging").style.display = "none";
  await showSummary();
  $("continue-btn").style.display = current === null ? "none" : "inline-block";
}

function finish() { current = null; stop(); $("progress").textContent += ": all done, thank you"; }

$("real-btn").addEventListener("click", () => answer("real"));
$("fake-btn").addEventListener("click", () => answer("fake"));
$("stop-btn").addEventListener("click", stop);
$("continue-btn").addEventListener("click", async () => {
  stopped = false; $("summary").style.display = "none"; $("judging").style.display = "block";
  showState(await call("GET", "/api/state"));
});
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;  // Ctrl-R reloads; it is not an answer
  if (e.repeat) return;  // a key held down must not answer the images that follow
  const key = e.key.toLowerCase();
  if (key === "r") answer("real"); else if (key === "f") answer("fake");
});
call("GET", "/api/state").then(showState).catch((e) => { $("error").textContent = e.message; });
</script>
</body>
</html>
"""
