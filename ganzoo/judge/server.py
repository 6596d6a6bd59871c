"""The judging web server (the standard library's ThreadingHTTPServer): the page, the images,
and a small JSON API. Malformed requests get a 4xx JSON error and change nothing.

GET  /                  the page (page.PAGE)
GET  /api/state         session, progress, fake-only notice and the next image's id
GET  /image/<id>.png    one image of the session
POST /api/answer        {"id": ..., "answer": "real" | "fake", "ms": time taken} -> state
GET  /api/report        the scores (hype.report) of the answers so far
"""

from __future__ import annotations

import datetime
import errno
import json
import re
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ganzoo.judge import hype
from ganzoo.judge.answers import AnswerLog, DuplicateAnswer, JudgeError
from ganzoo.judge.page import PAGE
from ganzoo.judge.pool import Pool

MAX_BODY = 16 * 1024  # an answer is ~100 bytes
MAX_MS = 24 * 3600 * 1000
IMAGE_PATH = re.compile(r"^/image/([0-9a-f]{12})\.png$")


class BadRequest(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


class JudgeApp:
    """What the server does, apart from HTTP: state, answers, report."""

    def __init__(
        self,
        pool: Pool,
        log: AnswerLog,
        session: str,
        runs: list[dict],
        num_resamples: int = 2000,
        seed: int = 0,
    ):
        self.pool, self.log, self.session, self.runs = pool, log, session, runs
        self.num_resamples, self.seed = num_resamples, seed
        self.steps = {run["name"]: run["step"] for run in runs}

    def state(self) -> dict:
        answered = self.log.answered
        done = sum(image.id in answered for image in self.pool.images)
        upcoming = next((im for im in self.pool.images if im.id not in answered), None)
        return {
            "session": self.session,
            "total": len(self.pool.images),
            "done": done,
            "fake_only": self.pool.fake_only,
            "notice": self.pool.notice,
            "next": None
            if upcoming is None
            else {"id": upcoming.id, "url": f"/image/{upcoming.id}.png"},
        }

    def answer(self, payload) -> dict:
        """Validates and records one answer; returns the new state."""
        if not isinstance(payload, dict):
            raise BadRequest(
                HTTPStatus.BAD_REQUEST,
                f"Received a JSON {type(payload).__name__}. Expected an object "
                '{"id": ..., "answer": "real" | "fake", "ms": ...}.',
            )
        image_id, answer, ms = payload.get("id"), payload.get("answer"), payload.get("ms")
        if not isinstance(image_id, str) or image_id not in self.pool.by_id:
            raise BadRequest(
                HTTPStatus.BAD_REQUEST,
                f"Received: id={image_id!r}. Expected the id of an image of session "
                f"{self.session!r} (from /api/state).",
            )
        if answer not in hype.SOURCES:
            raise BadRequest(
                HTTPStatus.BAD_REQUEST,
                f"Received: answer={answer!r}. Expected 'real' or 'fake'.",
            )
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not 0 <= ms <= MAX_MS:
            raise BadRequest(
                HTTPStatus.BAD_REQUEST,
                f"Received: ms={ms!r}. Expected the milliseconds taken, a number in [0, {MAX_MS}].",
            )
        image = self.pool.by_id[image_id]
        record = {
            "id": image.id,
            "session": self.session,
            "run": image.run,
            "step": self.steps.get(image.run),
            "source": image.source,
            "label": image.label,
            "answer": answer,
            "ms": int(round(ms)),
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        }
        try:
            self.log.append(record)
        except DuplicateAnswer:
            raise BadRequest(
                HTTPStatus.CONFLICT,
                f"Received a second answer for id={image_id!r}. Expected one answer per image; "
                "the first is kept.",
            ) from None
        return self.state()

    def report(self) -> dict:
        records = self.log.snapshot()
        out = hype.report(
            records,
            [run["name"] for run in self.runs],
            [run["name"] for run in self.runs if run["conditional"]],
            self.num_resamples,
            self.seed,
        )
        out.update(session=self.session, fake_only=self.pool.fake_only, notice=self.pool.notice)
        out["summary"] = hype.describe(out["overall"])
        return out


class Handler(BaseHTTPRequestHandler):
    server_version = "ganzoo-judge/1"

    @property
    def app(self) -> JudgeApp:
        return self.server.app

    def log_message(self, format, *args):  # noqa: A002  (the base class's signature)
        pass  # one line per image would drown the console's notices

    def send_error(self, code, message=None, explain=None):
        # Also for requests http.server itself rejects (a bad request line, an unknown method).
        self._json({"error": message or HTTPStatus(code).phrase}, HTTPStatus(code))

    def _json(self, payload, status=HTTPStatus.OK) -> None:
        self._send(json.dumps(payload).encode(), "application/json", status)

    def _send(self, body: bytes, content_type: str, status=HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _guarded(self, handle) -> None:
        try:
            handle()
        except BadRequest as e:
            self._json({"error": str(e)}, e.status)
        except Exception as e:  # noqa: BLE001  the server must outlive any one request
            self._json({"error": f"{type(e).__name__}: {e}"}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def do_GET(self):  # noqa: N802  (http.server's naming)
        self._guarded(self._get)

    def do_POST(self):  # noqa: N802
        self._guarded(self._post)

    def _get(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(PAGE.encode(), "text/html; charset=utf-8")
        elif path == "/api/state":
            self._json(self.app.state())
        elif path == "/api/report":
            self._json(self.app.report())
        elif match := IMAGE_PATH.match(path):
            image = self.app.pool.by_id.get(match.group(1))
            if image is None:
                raise BadRequest(
                    HTTPStatus.NOT_FOUND,
                    f"Received: image id {match.group(1)!r}. Expected an id of this session.",
                )
            self._send(image.png, "image/png")
        else:
            raise BadRequest(
                HTTPStatus.NOT_FOUND,
                f"Received: GET {path!r}. Expected /, /api/state, /api/report or /image/<id>.png.",
            )

    def _post(self) -> None:
        path = self.path.split("?", 1)[0]
        if path != "/api/answer":
            raise BadRequest(
                HTTPStatus.NOT_FOUND, f"Received: POST {path!r}. Expected /api/answer."
            )
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise BadRequest(
                HTTPStatus.BAD_REQUEST,
                f"Received: Content-Length={length!r}. Expected the body's length in bytes.",
            )
        if int(length) > MAX_BODY:
            self.close_connection = True  # the body is not read: don't parse it as a request
            raise BadRequest(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"Received a body of {length} bytes. Expected at most {MAX_BODY}.",
            )
        body = self.rfile.read(int(length))
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise BadRequest(
                HTTPStatus.BAD_REQUEST,
                f"Received a body that is not JSON ({e}). "
                'Expected {"id": ..., "answer": "real" | "fake", "ms": ...}.',
            ) from None
        self._json(self.app.answer(payload))


class JudgeServer(ThreadingHTTPServer):
    daemon_threads = True  # a browser's open keep-alive connection must not block the exit
    app: JudgeApp | None = None  # set before serving


def make_server(app: JudgeApp | None, host: str, port: int) -> JudgeServer:
    """A bound (not yet serving) server; JudgeError naming the port when it is taken. The app
    may be set later (`server.app = ...`): the port is checked before the slow model loading."""
    try:
        server = JudgeServer((host, port), Handler)
        server.app = app
        return server
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise JudgeError(
                f"Port {port} on {host} is in use (another judge session or program?). Pick "
                f"another with --set judge.port=N, or --set judge.port=0 for a free one."
            ) from None
        raise JudgeError(
            f"Cannot listen on {host}:{port} ({e.strerror or e}). Expected a local address "
            "(judge.host, default 127.0.0.1) and a free port (judge.port; 0 picks one)."
        ) from None


def serve_in_thread(server: JudgeServer) -> threading.Thread:
    """Serves `server` in a daemon thread (tests, notebooks); stop with server.shutdown()."""
    thread = threading.Thread(target=server.serve_forever, name="ganzoo-judge", daemon=True)
    thread.start()
    return thread


def url(server: JudgeServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


def print_banner(server: JudgeServer, app: JudgeApp, path: str, stream=None) -> None:
    stream = stream or sys.stdout
    state = app.state()
    print(
        f"Judge session {app.session!r}: {state['done']} of {state['total']} images answered; "
        f"answers go to {path}",
        file=stream,
    )
    if app.pool.notice:
        print(f"NOTICE: {app.pool.notice}", file=stream)
    print(
        f"Open {url(server)} and answer with R (real) / F (fake); Ctrl-C stops the server.",
        file=stream,
        flush=True,
    )
