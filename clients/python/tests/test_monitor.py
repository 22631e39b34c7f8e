"""The client against a live exporter: what is logged is what /metrics counts."""

import http.server
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from conftest import CLIENT, REPO
from model_exporter_client import Monitor

MODEL = {"model": "credit-risk", "model_version": "3.2.0"}


def test_every_logged_event_is_counted(exporter, events):
    with Monitor(exporter.url, model="credit-risk", batch_size=100) as m:
        for e in events[:1234]:
            assert m.log(**e)
        assert m.flush(30)
        s = m.stats()
    assert (s.events_sent, s.dropped, s.rejected, s.failed) == (1234, 0, 0, 0)
    assert exporter.value("model_predictions_total", **MODEL) == 1234
    assert exporter.value("model_window_events", **MODEL) == 1234
    # The logged latencies land in the histogram: count and sum.
    assert exporter.value("model_prediction_latency_seconds_count", **MODEL) == 1234
    expected = sum(e["latency"] for e in events[:1234])
    assert exporter.value("model_prediction_latency_seconds_sum", **MODEL) == pytest.approx(expected, rel=1e-9)


def test_custom_metrics_are_sent(custom_exporter):
    with Monitor(custom_exporter.url) as m:
        assert m.log(features={"x": 1}, prediction="1", metrics={"bleu": 0.25, "regret": float("nan")})
        assert m.log(features={"x": 2}, prediction="0", metrics={"bleu": 0.75, "regret": 2.0})
        with m.timed(features={"x": 3}, metrics={"regret": 1.0}) as t:
            t.prediction = "1"
        assert m.flush(30)
        assert m.stats().rejected == 0
    labels = {"model": "translator", "model_version": "1.0.0"}
    assert custom_exporter.value("model_custom_metric_mean", metric="bleu", **labels) == 0.5
    assert custom_exporter.value("model_custom_metric_count_total", metric="regret", **labels) == 2
    assert custom_exporter.value("model_custom_metric_sum_total", metric="regret", **labels) == 3


def test_labels_move_the_quality_gauges(exporter, events):
    m = Monitor(exporter.url)  # one model served: model may be left out
    for i, e in enumerate(events[:10]):
        m.log(**dict(e, id=f"q-{i}", prediction="1"))
    assert m.flush(30)
    assert exporter.value("model_accuracy_ratio", **MODEL) is None  # no labels yet: left out
    for i in range(10):
        m.label(f"q-{i}", "1" if i < 7 else "0")
    m.label("never-logged", "1")
    assert m.close(30)
    assert m.stats().labels_sent == 11
    assert exporter.value("model_labels_total", **MODEL) == 10
    assert exporter.value("model_labels_unmatched_total", **MODEL) == 1
    assert exporter.value("model_window_labeled_events", **MODEL) == 10
    assert exporter.value("model_accuracy_ratio", **MODEL) == pytest.approx(0.7, abs=1e-12)
    assert exporter.value("model_precision_ratio", **MODEL, **{"class": "1"}) == pytest.approx(0.7, abs=1e-12)


def test_timed_records_the_blocks_duration(exporter, events):
    e = events[0]
    with Monitor(exporter.url, model="credit-risk") as m:
        with m.timed(id="slow-1", features=e["features"], attributes=e["attributes"]) as t:
            time.sleep(0.03)
            t.prediction, t.score = "1", 0.9
        with pytest.raises(ZeroDivisionError):
            with m.timed(features=e["features"]) as failed:
                failed.prediction = "1"
                1 / 0
    assert t.logged and 0.03 <= t.latency < 0.05
    assert not failed.logged
    assert exporter.value("model_prediction_latency_seconds_count", **MODEL) == 1
    assert exporter.value("model_prediction_latency_seconds_sum", **MODEL) == pytest.approx(t.latency, abs=1e-9)
    assert exporter.value("model_prediction_latency_seconds_bucket", **MODEL, le="0.025") == 0
    assert exporter.value("model_prediction_latency_seconds_bucket", **MODEL, le="0.05") == 1


def test_a_full_queue_drops_and_counts_without_blocking(exporter, events):
    m = Monitor(exporter.url, model="credit-risk", max_queue=10, batch_size=1000, flush_interval=60)
    start = time.perf_counter()
    accepted = [m.log(**e) for e in events[:25]]
    elapsed = time.perf_counter() - start
    assert accepted == [True] * 10 + [False] * 15
    assert elapsed < 0.5
    assert m.stats().dropped == 15 and m.stats().pending == 10
    assert m.close(30)
    assert m.stats().events_sent == 10
    assert exporter.value("model_predictions_total", **MODEL) == 10


def test_refused_events_surface_the_servers_problems(exporter, events):
    rejections = []
    m = Monitor(exporter.url, model="credit-risk", on_rejected=rejections.append)
    bad = dict(events[1], features=dict(events[1]["features"], income="a lot"))
    for e in (events[0], bad, events[2]):
        assert m.log(**e)  # no exception in the caller's thread
    assert m.close(30)
    assert len(rejections) == 1
    r = rejections[0]
    assert (r.status, r.endpoint, r.dropped) == (400, "events", 1)
    assert r.problems == [{"index": 1, "field": "features.income", "reason": "expected a number or null, found a string"}]
    assert r.items[1]["features"]["income"] == "a lot"
    s = m.stats()
    assert (s.events_sent, s.rejected, s.failed) == (2, 1, 0)
    # The refused request counted all three; the two good events were sent again and applied.
    assert exporter.value("model_events_rejected_total", **MODEL, reason="invalid_event") == 3
    assert exporter.value("model_predictions_total", **MODEL) == 2


def test_an_unknown_model_is_reported_not_raised(exporter, events, caplog):
    m = Monitor(exporter.url, model="no-such-model")
    m.log(**events[0])
    with caplog.at_level("WARNING", logger="model_exporter_client"):
        assert m.close(30)
    assert m.stats().rejected == 1
    assert m.last_rejection.status == 404
    assert 'unknown model \\"no-such-model\\"' in caplog.text or 'unknown model "no-such-model"' in caplog.text


def test_missing_values_are_sent_as_missing(exporter, events):
    e = events[0]
    with Monitor(exporter.url) as m:
        for _ in range(4):
            m.log(**dict(e, features=dict(e["features"], income=float("nan"), debt_ratio=None)))
    assert exporter.value("model_feature_missing_ratio", **MODEL, feature="income") == 1
    assert exporter.value("model_feature_missing_ratio", **MODEL, feature="debt_ratio") == 1
    assert exporter.value("model_feature_missing_ratio", **MODEL, feature="age") == 0


def test_basic_auth(secured_exporter, events):
    import base64
    secured_exporter.headers["Authorization"] = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    with Monitor(secured_exporter.url, auth=("alice", "wrong")) as refused:
        refused.log(**events[0])
    assert refused.stats().rejected == 1 and refused.last_rejection.status == 401
    with Monitor(secured_exporter.url, auth=("alice", "s3cret")) as m:
        for e in events[:3]:
            m.log(**e)
    assert m.stats().events_sent == 3
    assert secured_exporter.value("model_predictions_total", **MODEL) == 3


class FlakyServer:
    """Answers 503 to the first `failures` requests, then 200; keeps every body it got."""

    def __init__(self, failures):
        self.failures = failures
        self.bodies = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.bodies.append((self.path, body))
                status = 503 if len(outer.bodies) <= outer.failures else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_5xx_answers_are_retried_with_backoff(events):
    stub = FlakyServer(failures=3)
    try:
        m = Monitor(stub.url, model="credit-risk", backoff=0.05)
        for e in events[:5]:
            m.log(**e)
        start = time.monotonic()
        assert m.close(30)
        elapsed = time.monotonic() - start
    finally:
        stub.close()
    s = m.stats()
    assert (s.events_sent, s.retries, s.failed) == (5, 3, 0)
    assert len(stub.bodies) == 4 and len({b for _, b in stub.bodies}) == 1
    assert stub.bodies[0][0] == "/api/v1/events"
    assert [json.loads(l)["id"] for l in stub.bodies[0][1].decode().splitlines()] == [e["id"] for e in events[:5]]
    # Backoff 0.05 * (1 + 2 + 4) seconds, each with jitter in [0.5, 1].
    assert 0.175 <= elapsed < 5


def _ids(body):
    return [json.loads(line)["id"] for line in body.decode().splitlines()]


def test_a_full_batch_goes_out_at_batch_size(events):
    stub = FlakyServer(failures=0)
    try:
        # A minute's flush interval: only the batch size (and close) may start a request.
        m = Monitor(stub.url, model="credit-risk", batch_size=100, flush_interval=60)
        logged = [dict(e, id=f"b-{i}") for i, e in enumerate(events[:250])]
        for e in logged:
            assert m.log(**e)
        assert m.close(30)
    finally:
        stub.close()
    assert [path for path, _ in stub.bodies] == ["/api/v1/events"] * 3
    assert [len(_ids(body)) for _, body in stub.bodies] == [100, 100, 50]
    assert [i for _, body in stub.bodies for i in _ids(body)] == [f"b-{i}" for i in range(250)]
    s = m.stats()
    assert (s.events_sent, s.dropped, s.rejected, s.failed, s.retries, s.pending) == (250, 0, 0, 0, 0, 0)


def test_a_partial_batch_goes_out_after_the_flush_interval(events):
    stub = FlakyServer(failures=0)
    m = Monitor(stub.url, model="credit-risk", batch_size=100, flush_interval=0.2)
    try:
        start = time.monotonic()
        for i, e in enumerate(events[:3]):
            assert m.log(**dict(e, id=f"t-{i}"))
        # Neither flush() nor close(): the sender's timer alone sends the three.
        while not stub.bodies and time.monotonic() - start < 5:
            time.sleep(0.01)
        elapsed = time.monotonic() - start
        assert [(path, _ids(body)) for path, body in stub.bodies] == [("/api/v1/events", ["t-0", "t-1", "t-2"])]
        assert 0.2 <= elapsed < 1.0, elapsed
        deadline = time.monotonic() + 5
        while m.stats().pending and time.monotonic() < deadline:
            time.sleep(0.01)
        s = m.stats()
        assert (s.events_sent, s.pending, s.failed) == (3, 0, 0)
    finally:
        m.close(5)
        stub.close()


def test_a_server_that_never_answers_is_given_up_on(events):
    stub = FlakyServer(failures=0)
    port = stub.server.server_address[1]
    stub.close()  # nothing listens there any more: connection refused
    m = Monitor(f"http://127.0.0.1:{port}", max_retries=2, backoff=0.01)
    m.log(**events[0])
    m.label(events[0]["id"], "1")
    assert m.close(30)
    s = m.stats()
    assert (s.events_sent, s.labels_sent, s.retries, s.failed) == (0, 0, 4, 2)


def test_the_queue_is_flushed_when_the_interpreter_exits(exporter, events):
    script = (
        "import json, sys\n"
        "from model_exporter_client import Monitor\n"
        "m = Monitor(sys.argv[1], flush_interval=60)\n"
        "for line in open(sys.argv[2]).readlines()[:7]:\n"
        "    e = json.loads(line); e['latency'] = e.pop('latency_seconds')\n"
        "    m.log(**e)\n"
    )
    env = dict(os.environ, PYTHONPATH=CLIENT)
    events_path = os.path.join(REPO, "examples", "credit-risk", "events.ndjson")
    subprocess.run([sys.executable, "-c", script, exporter.url, events_path], check=True, env=env, timeout=60)
    assert exporter.value("model_predictions_total", **MODEL) == 7


def test_pip_installs_the_package(tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), CLIENT],
        check=True, timeout=300,
    )
    out = subprocess.run(
        [sys.executable, "-c", "import model_exporter_client as c; print(c.__version__, c.__file__)"],
        check=True, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(target)), cwd=str(tmp_path),
    ).stdout
    assert out.startswith("0.1.0 " + str(target))
