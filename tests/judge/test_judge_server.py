"""The judging session end to end without a browser: the images, the HTTP API and its bad
requests, restarts, fake-only mode, and the command line's errors and report."""

import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
import tensorflow as tf
from cli_runner import cli

from ganzoo import config as config_lib
from ganzoo import data as data_lib
from ganzoo import images as images_lib
from ganzoo.experiment import validate
from ganzoo.judge import judge_lib
from ganzoo.judge.answers import JudgeError
from ganzoo.judge.pool import image_id, upscale
from ganzoo.judge.server import serve_in_thread
from ganzoo.workdir import Workdir

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def judge_config(path, **judge):
    overrides = {"judge.port": 0, "judge.num_images": 12, "judge.bootstrap": 200}
    overrides.update({f"judge.{k}": v for k, v in judge.items()})
    return validate(config_lib.apply_overrides(Workdir(path).read_config(), overrides))


def post(server, body, content_type="application/json", headers=None):
    """(status, JSON reply) of a POST /api/answer with a raw body."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(
        "POST", "/api/answer", body=body, headers={"Content-Type": content_type, **(headers or {})}
    )
    response = conn.getresponse()
    status, payload = response.status, json.loads(response.read())
    conn.close()
    return status, payload


def get(server, path):
    host, port = server.server_address[:2]
    with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=10) as r:
        return r.read()


@pytest.fixture
def serving():
    """serving(workdirs, config, stream=None, answers_dir=None) -> (server, app, path)."""
    servers = []

    def start(workdirs, config, **kwargs):
        server, app, path = judge_lib.start(workdirs, config, **kwargs)
        serve_in_thread(server)
        servers.append(server)
        return server, app, path

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def model_ready_test_images(config):
    cfg = config_lib.apply_overrides(
        config, {"data.split": "test", "data.shuffle_buffer": 0, "train.batch_size": 1}
    )
    ds = data_lib.build_dataset(cfg, with_labels=True, repeat=False).unbatch()
    x, y = zip(*[(a.numpy(), int(b)) for a, b in ds], strict=True)
    return images_lib.to_uint8(np.stack(x)), np.array(y)


def test_fakes_come_from_the_ema_generator_and_reals_from_the_test_split(judge_runs):
    config = judge_config(judge_runs["plain"])
    runs = judge_lib.load_runs([judge_runs["plain"]], config)
    pool = judge_lib.build_pool(runs, config.judge)
    fakes = [im for im in pool.images if im.source == "fake"]
    reals = [im for im in pool.images if im.source == "real"]
    assert len(fakes) == len(reals) == 6 and not pool.fake_only and pool.real_split == "test"
    gan = runs[0].gan
    assert gan.ema_generator is not None
    expected = images_lib.to_uint8(gan.generate(6, seed=0))  # sampling_generator = the EMA copy
    # The i-th fake of the run is the i-th sample of GAN.generate(seed=judge.seed).
    by_index = [pool.by_id[image_id(0, "fake", "plain", i)] for i in range(6)]
    np.testing.assert_array_equal(np.stack([im.pixels for im in by_index]), expected)
    raw = images_lib.to_uint8(gan.generator(gan.latent_for_seed(6, 0), training=False).numpy())
    assert not np.array_equal(raw, expected)  # so the EMA copy, not G, made them
    test_images, _ = model_ready_test_images(config)
    for im in reals:
        assert any(np.array_equal(im.pixels, t) for t in test_images)
        assert im.label is None and im.run is None
    # Readable: 16 px upscaled x14 to 224 px, nearest neighbour; ids say nothing of the source.
    png = tf.io.decode_png(pool.images[0].png).numpy()
    assert png.shape == (224, 224, 1) and pool.scale == 14
    np.testing.assert_array_equal(png, upscale(pool.images[0].pixels, 14))
    assert len(pool.by_id) == 12 and all(re.fullmatch("[0-9a-f]{12}", i) for i in pool.by_id)
    assert [im.source for im in pool.images] != ["real"] * 6 + ["fake"] * 6  # shuffled


def test_conditional_fakes_carry_their_class_and_reals_their_label(judge_runs):
    config = judge_config(judge_runs["plain"], num_images=24)
    runs = judge_lib.load_runs([judge_runs["plain"], judge_runs["conditional"]], config)
    pool = judge_lib.build_pool(runs, config.judge)
    by_run = {}
    for im in pool.images:
        by_run.setdefault(im.run, []).append(im)
    assert {k: len(v) for k, v in by_run.items()} == {None: 12, "plain": 6, "conditional": 6}
    assert sorted(im.label for im in by_run["conditional"]) == sorted(np.arange(6) % 10)
    assert all(im.label is None for im in by_run["plain"])
    test_images, test_labels = model_ready_test_images(config)
    for im in by_run[None]:  # a real's label is the data's label of that very image
        match = [i for i, t in enumerate(test_images) if np.array_equal(im.pixels, t)]
        assert match and im.label == test_labels[match[0]]


def test_malformed_requests_get_a_json_error_and_lose_nothing(judge_runs, run_copy, serving):
    path = run_copy("plain")
    server, app, answers = serving([path], judge_config(path))
    first = app.state()["next"]["id"]
    status, _ = post(server, json.dumps({"id": first, "answer": "fake", "ms": 900}))
    assert status == 200
    second = app.state()["next"]["id"]
    bad = [
        (b"not json", 400, "not JSON"),
        (b"\xff\xfe", 400, "not JSON"),
        (b"[1, 2]", 400, "Expected an object"),
        (json.dumps({"answer": "real", "ms": 1}), 400, "Received: id=None"),
        (json.dumps({"id": "0123456789ab", "answer": "real", "ms": 1}), 400, "Received: id="),
        (json.dumps({"id": second, "answer": "maybe", "ms": 1}), 400, "answer='maybe'"),
        (json.dumps({"id": second, "answer": "real", "ms": -5}), 400, "ms=-5"),
        (json.dumps({"id": second, "answer": "real", "ms": "9"}), 400, "ms='9'"),
        (json.dumps({"id": second, "answer": "real"}), 400, "ms=None"),
        (json.dumps({"id": first, "answer": "real", "ms": 5}), 409, "second answer"),
        (b"x" * 20_000, 413, "at most"),
    ]
    for body, status, message in bad:
        got, payload = post(server, body)
        assert (got, message in payload["error"]) == (status, True), (body[:40], payload)
    host, port = server.server_address[:2]
    # A bad request line (answered as HTTP/0.9: the body alone), an unsupported method.
    for raw, start in (
        (b"GARBAGE\r\n\r\n", '{"error": "Bad request syntax'),
        (b"DELETE / HTTP/1.1\r\n\r\n", "HTTP/1.0 501 "),
    ):
        with socket.create_connection((host, port), timeout=10) as s:
            s.sendall(raw)
            s.shutdown(socket.SHUT_WR)  # then the server closes after its reply
            reply = b"".join(iter(lambda: s.recv(4096), b"")).decode()
        assert reply.startswith(start) and '{"error": ' in reply
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/nope")
    response = conn.getresponse()
    assert response.status == 404 and "Expected /" in json.loads(response.read())["error"]
    conn.request("POST", "/api/answer", headers={"Content-Length": "abc"})
    response = conn.getresponse()
    assert response.status == 400 and "Content-Length" in json.loads(response.read())["error"]
    # Still serving, and the file holds exactly the one good answer, then a second.
    status, state = post(server, json.dumps({"id": second, "answer": "real", "ms": 700.4}))
    assert status == 200 and state["done"] == 2
    with open(answers) as f:
        lines = [json.loads(line) for line in f]
    assert [(r["id"], r["answer"], r["ms"]) for r in lines] == [
        (first, "fake", 900),
        (second, "real", 700),
    ]
    image = app.pool.by_id[first]
    assert lines[0]["source"] == image.source and lines[0]["run"] == image.run
    assert set(lines[0]) == {
        "id",
        "session",
        "run",
        "step",
        "source",
        "label",
        "answer",
        "ms",
        "time",
    }


def test_a_restarted_server_continues_the_session(judge_runs, run_copy, serving):
    path = run_copy("plain")
    server, app, answers = serving([path], judge_config(path))
    done = []
    for which in ("real", "fake", "real"):
        image_id = app.state()["next"]["id"]
        assert post(server, json.dumps({"id": image_id, "answer": which, "ms": 10}))[0] == 200
        done.append(image_id)
    server.shutdown()
    server.server_close()
    stream = io.StringIO()
    server2, app2, answers2 = serving([path], judge_config(path), stream=stream)
    state = json.loads(get(server2, "/api/state"))
    assert answers2 == answers and state["done"] == 3 and state["next"]["id"] not in done
    assert post(server2, json.dumps({"id": done[0], "answer": "fake", "ms": 1}))[0] == 409
    # Other images under the same session name (here: another seed) are refused.
    with pytest.raises(JudgeError, match="seed: 0 then, 1 now"):
        judge_lib.start([path], judge_config(path, seed=1))


def test_no_real_data_is_fake_only_mode_with_a_notice(
    judge_runs, run_copy, serving, tmp_path, capsys
):
    empty = tmp_path / "no_data"
    empty.mkdir()
    path = run_copy("plain", dir=str(empty))
    stream = io.StringIO()
    server, app, _ = serving([path], judge_config(path), stream=stream)
    from ganzoo.judge.server import print_banner

    print_banner(server, app, "x", stream)
    assert "NOTICE: No real images: tiny could not be read" in stream.getvalue()
    assert "Fake-only mode" in stream.getvalue()
    state = json.loads(get(server, "/api/state"))
    assert state["fake_only"] and state["total"] == 12 and "Fake-only mode" in state["notice"]
    assert {im.source for im in app.pool.images} == {"fake"}
    assert b'id="notice"' in get(server, "/")
    for which in ("real", "fake", "fake"):
        post(server, json.dumps({"id": app.state()["next"]["id"], "answer": which, "ms": 3}))
    report = json.loads(get(server, "/api/report"))
    assert report["overall"]["kind"] == "fake_judged_real"
    assert report["overall"]["score"] == pytest.approx(1 / 3) and report["fake_only"]
    # --mode=eval's result for the judged step is set beside the human score.
    os.makedirs(os.path.join(path, "eval"))
    with open(os.path.join(path, "eval", "step_000002.json"), "w") as f:
        json.dump({"metrics": {"fid": 12.5, "kid": 0.0125, "note": "x"}}, f)
    assert cli("--mode=judge", f"--workdir={path}", "--set=judge.report=true") == 0
    out = capsys.readouterr().out
    assert "Fake-only session" in out and "fakes judged real (fake-only: not HYPE-infinity)" in out
    assert "run plain --mode=eval at the judged step: fid 12.5, kid 0.0125" in out
    with open(os.path.join(path, "human_eval", "report.json")) as f:
        assert json.load(f)["metrics"] == {"plain": {"fid": 12.5, "kid": 0.0125}}


def test_cli_errors_no_checkpoint_port_in_use_and_one_workdir_per_other_mode(
    judge_runs, run_copy, capsys
):
    path = run_copy("plain")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = cli(
            "--mode=judge",
            f"--workdir={path}",
            f"--set=judge.port={port}",
            "--set=judge.num_images=4",
        )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("ganzoo: error:") and err.count("\n") == 1
    assert f"Port {port} on 127.0.0.1 is in use" in err and "--set judge.port=0" in err
    no_ckpt = run_copy("conditional")
    shutil.rmtree(os.path.join(no_ckpt, "checkpoints"))
    assert cli("--mode=judge", f"--workdir={path}", f"--workdir={no_ckpt}") == 2
    err = capsys.readouterr().err
    assert "ganzoo: error: No checkpoint in" in err and no_ckpt in err
    assert cli("--mode=judge", f"--workdir={path}", "--set=judge.report=true") == 2
    assert "No judging session 'default'" in capsys.readouterr().err
    assert cli("--mode=sample", f"--workdir={path}", f"--workdir={no_ckpt}") == 2
    assert "Received 2 --workdir flags for --mode=sample" in capsys.readouterr().err
    assert cli("--mode=judge", f"--workdir={path}", "--set=judge.session=../x") == 2
    assert "Received: judge.session='../x'" in capsys.readouterr().err
    # One --workdir still works as before for the other modes.
    assert cli("--mode=sample", f"--workdir={path}", "--set=sample.num=4") == 0
    assert "Wrote 4 samples" in capsys.readouterr().out


def test_the_cli_server_killed_mid_session_loses_no_answer(judge_runs, run_copy):
    path = run_copy("plain")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ganzoo.run",
            "--mode=judge",
            f"--workdir={path}",
            "--set=judge.port=0",
            "--set=judge.num_images=6",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline, address = time.time() + 120, None
        while address is None and time.time() < deadline:
            line = proc.stdout.readline()
            assert line, "the server exited before printing its address"
            if line.startswith("Open http://"):
                address = line.split()[1]
        base = address.rstrip("/")
        state = json.loads(urllib.request.urlopen(base + "/api/state", timeout=10).read())
        assert state["total"] == 6 and state["done"] == 0
        request = urllib.request.Request(
            base + "/api/answer",
            data=json.dumps({"id": state["next"]["id"], "answer": "fake", "ms": 1500}).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert json.loads(urllib.request.urlopen(request, timeout=10).read())["done"] == 1
        proc.send_signal(signal.SIGKILL)  # no clean-up runs
        proc.wait(timeout=30)
    finally:
        proc.kill()
    with open(os.path.join(path, "human_eval", "default.jsonl")) as f:
        lines = [json.loads(line) for line in f]
    assert [(r["id"], r["answer"], r["ms"]) for r in lines] == [(state["next"]["id"], "fake", 1500)]
