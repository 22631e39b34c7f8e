"""A live model_exporter for the client's tests: the repository's own binary (release if it is
newer than debug; $MODEL_EXPORTER overrides), serving the bundled credit-risk example on a free
port of 127.0.0.1, one fresh process per test so counters start at zero."""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(CLIENT))
EXAMPLE = os.path.join(REPO, "examples", "credit-risk")

sys.path.insert(0, CLIENT)


def binary():
    given = os.environ.get("MODEL_EXPORTER")
    if given:
        return given
    built = [os.path.join(REPO, ".build", c, "model_exporter") for c in ("release", "debug")]
    built = [b for b in built if os.access(b, os.X_OK)]
    if not built:
        pytest.fail("no model_exporter binary: run `swift build` (or set MODEL_EXPORTER) before these tests")
    return max(built, key=os.path.getmtime)


class Exporter:
    def __init__(self, args):
        self.process = subprocess.Popen(
            [binary(), "serve", "--web.listen-address", "127.0.0.1:0", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.log = []
        deadline = time.monotonic() + 30
        port = None
        while port is None and time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.log.append(line)
            m = re.search(r"address=127\.0\.0\.1:(\d+) .*listening", line)
            if m:
                port = int(m.group(1))
        if port is None:
            self.stop()
            pytest.fail("model_exporter did not start:\n" + "".join(self.log))
        threading.Thread(target=self._drain, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}"
        self.headers = {}

    def _drain(self):
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def metrics(self):
        """/metrics once its statistics include every accepted event and label: they are
        computed off the scrape path, and model_statistics_age_seconds is 0 when they do."""
        deadline = time.monotonic() + 20
        while True:
            request = urllib.request.Request(self.url + "/metrics", headers=self.headers)
            with urllib.request.urlopen(request, timeout=10) as r:
                text = r.read().decode()
            ages = re.findall(r"^model_statistics_age_seconds\{[^}]*\} (\S+)$", text, re.M)
            if all(float(a) == 0 for a in ages) or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def value(self, name, **labels):
        """The value of one series of /metrics, or None when it is absent."""
        for line in self.metrics().splitlines():
            if line.startswith("#"):
                continue
            m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
            if not m or m.group(1) != name:
                continue
            got = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
            if all(got.get(k) == v for k, v in labels.items()):
                return float(m.group(4))
        return None


@pytest.fixture
def exporter():
    e = Exporter(["--strategy", os.path.join(EXAMPLE, "strategy.yml"), "--log.level", "info"])
    yield e
    e.stop()


@pytest.fixture
def custom_exporter():
    """A translation model with custom metrics (bleu, regret), from the repository's fixtures."""
    e = Exporter(["--strategy", os.path.join(REPO, "Tests", "Fixtures", "custom", "strategy.yml")])
    yield e
    e.stop()


@pytest.fixture
def secured_exporter(tmp_path):
    """The example behind basic auth: user alice, password s3cret (bcrypt, cost 4)."""
    config = tmp_path / "web.yml"
    config.write_text("basic_auth_users:\n  alice: $2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG\n")
    e = Exporter(["--strategy", os.path.join(EXAMPLE, "strategy.yml"), "--web.config.file", str(config)])
    yield e
    e.stop()


@pytest.fixture(scope="session")
def events():
    """The example's events, as keyword arguments of Monitor.log()."""
    out = []
    with open(os.path.join(EXAMPLE, "events.ndjson")) as f:
        for line in f:
            e = json.loads(line)
            e["latency"] = e.pop("latency_seconds", None)
            out.append(e)
    return out
