#!/usr/bin/env python3
"""End to end with a real Prometheus and Alertmanager: alerts fire, route, inhibit and resolve.

usage: scenario.py --bin .build/release/model_exporter [--runs N] [--keep] [--capture DIR]

One run (about two and a half minutes):
  1. `model_exporter generate` from e2e/strategy.yml, pointed at free loopback ports,
     with 1 s scrapes and evaluations, a 10 s rate window and second-long Alertmanager timing;
     promtool checks the config and runs the generated rule tests, amtool checks the routes.
  2. Starts the exporter, a feeder thread posting 60 events/s (labels 40 events late), a
     webhook receiver (one path per team), Alertmanager and Prometheus.
  3. Healthy: the target is up, every recording rule returns data, no alert is pending or
     firing, no notification arrives.
  4. Each fault in turn (feature drift, quality once labels arrive late, a fairness gap,
     latency, missing values): its own alerts fire in Prometheus with the expected labels and
     no other alert is even pending; each reaches the webhook of its team with its severity;
     the latency warning stays inhibited by the latency critical (Alertmanager says suppressed,
     the webhook never sees it). Then healthy events again: every alert resolves and the
     webhook receives `status: resolved`.
     The error rate changes (labels disagree with the predictions): the concept-drift
     detector's alert fires and reaches the model-health team.
     Labels stop while predictions go on: <Model>LabelLag fires for the model-health team.
  5. Events stop: <Model>NoEvents fires and reaches the serving team.
  6. Every query of every panel of the generated dashboard runs without error at the end of
     each phase, and each returns data in at least one of them.
Every process is stopped at the end, also on failure; a failure prints each one's log.
Python's standard library only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from feed import LABEL_LAG, Feeder, http  # noqa: E402
from webhook import Webhook  # noqa: E402

STRATEGY = os.path.join(HERE, "strategy.yml")
MODEL, VERSION = "e2e-credit", "1.0.0"
NO_EVENTS = "E2eCreditNoEvents"
LABEL_LAG_ALERT = "E2eCreditLabelLag"
CONCEPT_DRIFT_ALERT = "E2eCreditConceptDrift"
TEAMS = ["data-eng", "ml", "risk", "platform", "default"]
WINDOW = 300  # strategy.yml's window.events
# Generator options: every second, and guards that wait seconds (see docs/e2e-walkthrough.md).
# The label-lag window must outlast the quality phase's held labels (about 10 s).
GENERATE_FLAGS = [
    "--scrape-interval", "1s", "--evaluation-interval", "1s",
    "--rules.rate-window", "10s", "--rules.no-events-for", "5s",
    "--rules.label-lag-window", "20s", "--rules.label-lag-for", "5s",
    "--alertmanager.group-wait", "1s", "--alertmanager.group-interval", "2s", "--alertmanager.repeat-interval", "1h",
]
# What Grafana would put into the panels' queries: 1 s scrapes give $__rate_interval = 4 × 1s.
DASHBOARD_VARIABLES = {"model": MODEL, "model_version": VERSION, "__rate_interval": "4s", "__interval": "1s"}
BUDGET_SECONDS = 280  # one run, from generate to the last check; every wait is capped by it


class Failure(Exception):
    pass


def log(clock, message):
    print(f"[{clock.elapsed():6.1f}s] {message}", flush=True)


class Clock:
    def __init__(self, budget):
        self.start = time.monotonic()
        self.deadline = self.start + budget

    def elapsed(self):
        return time.monotonic() - self.start

    def remaining(self):
        return self.deadline - time.monotonic()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# MARK: processes


class Processes:
    """Child processes with their logs; stopped in reverse order, SIGTERM then SIGKILL."""

    def __init__(self, logdir):
        self.logdir = logdir
        self.procs = []  # (name, Popen, log path, argv)
        self.stopped = set()

    def start(self, name, argv):
        path = os.path.join(self.logdir, f"{name}.log")
        out = open(path, "wb")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO)
        out.close()
        self.procs.append((name, p, path, argv))
        return p

    def check(self):
        for name, p, _, _ in self.procs:
            if name not in self.stopped and p.poll() is not None:
                raise Failure(f"{name} exited unexpectedly with status {p.returncode}")

    def stop(self, name):
        for n, p, _, _ in self.procs:
            if n == name and n not in self.stopped:
                self.stopped.add(n)
                if p.poll() is None:
                    p.terminate()
                    try:
                        p.wait(10)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait()

    def stop_all(self):
        for name, _, _, _ in reversed(self.procs):
            self.stop(name)

    def report(self, lines=60):
        out = []
        for name, p, path, argv in self.procs:
            status = "running" if p.poll() is None else f"exit status {p.returncode}"
            try:
                text = open(path, errors="replace").read().splitlines()
            except OSError as e:
                text = [f"(log unreadable: {e})"]
            out.append(f"---- {name} ({status}): {' '.join(argv)}\n---- last {min(lines, len(text))} of {len(text)} lines of {path}")
            out.extend(text[-lines:])
        return "\n".join(out)


# MARK: Prometheus and Alertmanager APIs


class Prometheus:
    def __init__(self, url):
        self.url = url

    def api(self, path, params=None):
        url = self.url + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        status, body = http("GET", url, timeout=10)
        try:
            doc = json.loads(body)
        except ValueError:
            raise Failure(f"GET {url}: HTTP {status}, not JSON: {body[:300]!r}")
        if status != 200 or doc.get("status") != "success":
            raise Failure(f"GET {url}: HTTP {status}: {doc.get('errorType')}: {doc.get('error')}")
        return doc["data"]

    def query(self, expr):
        return self.api("/api/v1/query", {"query": expr})["result"]

    def alerts(self):
        return self.api("/api/v1/alerts")["alerts"]

    def recording_rules(self):
        return [r["name"] for g in self.api("/api/v1/rules")["groups"] for r in g["rules"] if r["type"] == "recording"]


def alert_names(alerts, state=None):
    return sorted({a["labels"]["alertname"] for a in alerts if state is None or a["state"] == state})


def describe(alerts):
    return ", ".join(f"{a['labels']['alertname']}{{{','.join(f'{k}={v}' for k, v in sorted(a['labels'].items()) if k != 'alertname')}}} {a['state']}"
                     for a in alerts) or "none"


# MARK: the scenario


class Run:
    def __init__(self, binary, workdir, capture=None):
        self.binary = binary
        self.workdir = workdir
        self.capture = capture
        self.clock = Clock(BUDGET_SECONDS)
        self.procs = Processes(workdir)
        self.webhook = None
        self.feeder = None
        self.phases = []  # (name, seconds)
        self.dashboard_data = {}  # query key → phases in which it returned data
        self.alert_panels = {}  # alert name → {phase: colours its stat panel showed}
        self.fault_phase = {}  # alert name → the phase that makes it fire
        self.pending_ok = set()  # alerts that may pend (never fire) for a while
        self.tolerate = set()  # alerts that may pend or fire in this phase, besides the expected ones
        self.notified = set()  # alert names the webhook may have seen firing so far
        self.never_notified = set()  # inhibited alerts: never at the webhook

    def say(self, message):
        log(self.clock, message)

    # -- waiting

    def guard(self, allowed):
        """Called on every poll: every process alive, the feeder healthy, no alert outside
        `allowed` pending or firing in Prometheus, no unexpected notification."""
        self.procs.check()
        if self.feeder is not None and self.feeder.error:
            raise Failure(f"feeder: {self.feeder.error}")
        if self.prom is not None:
            alerts = self.prom.alerts()
            unexpected = [a for a in alerts if a["labels"]["alertname"] not in allowed and not self.tolerated(a)]
            if unexpected:
                raise Failure(f"unexpected alert(s) in Prometheus: {describe(unexpected)} (expected only {sorted(allowed) or 'none'})")
        if self.webhook is not None:
            for team, status, _, a in self.webhook.alerts():
                name = a["labels"].get("alertname")
                if status == "firing" and (name not in self.notified or name in self.never_notified):
                    raise Failure(f"unexpected notification at /{team}: {name} {a['labels']} (expected only {sorted(self.notified - self.never_notified)})")

    def tolerated(self, alert):
        name = alert["labels"]["alertname"]
        return name in self.tolerate or (name in self.pending_ok and alert["state"] == "pending")

    def quiet(self):
        """(no alert pending or firing, detail), tolerating self.pending_ok."""
        alerts = [a for a in self.prom.alerts() if not self.tolerated(a)]
        return not alerts, describe(alerts)

    def wait(self, what, check, timeout, allowed=(), interval=0.4):
        """Polls check() → (done, detail) until done; fails after `timeout` (capped by the budget)."""
        limit = min(timeout, self.clock.remaining())
        end = time.monotonic() + limit
        detail = ""
        while True:
            self.guard(set(allowed))
            try:
                done, detail = check()
            except OSError as e:
                done, detail = False, f"{type(e).__name__}: {e}"
            if done:
                return detail
            if time.monotonic() > end:
                raise Failure(f"timed out after {limit:.0f}s waiting for {what}; last seen: {detail}")
            time.sleep(interval)

    def hold(self, what, seconds, check, allowed=()):
        """check() must hold on every poll for `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.guard(set(allowed))
            ok, detail = check()
            if not ok:
                raise Failure(f"{what}: {detail}")
            time.sleep(0.4)

    def phase(self, name, started):
        self.phases.append((name, time.monotonic() - started))

    # -- set up

    def start(self):
        self.prom = None
        exporter_port, prom_port, am_port = free_port(), free_port(), free_port()
        self.exporter = f"http://127.0.0.1:{exporter_port}"
        self.prom_url = f"http://127.0.0.1:{prom_port}"
        self.am_url = f"http://127.0.0.1:{am_port}"
        self.webhook = Webhook(os.path.join(self.workdir, "webhook.log"), os.path.join(self.workdir, "webhook.ndjson"))

        gen = self.gen = os.path.join(self.workdir, "generated")
        argv = [self.binary, "generate", "--strategy", STRATEGY, "--out", gen,
                "--exporter.address", f"127.0.0.1:{exporter_port}", "--alertmanager.address", f"127.0.0.1:{am_port}"]
        for team in TEAMS:
            argv += ["--webhook", f"{team}={self.webhook.url(team)}"]
        self.run_tool("generate", argv + GENERATE_FLAGS)
        self.run_tool("promtool check config", ["promtool", "check", "config", f"{gen}/prometheus/prometheus.yml"])
        tests = sorted(os.listdir(f"{gen}/prometheus/tests"))
        self.run_tool("promtool test rules", ["promtool", "test", "rules"] + tests, cwd=f"{gen}/prometheus/tests")
        self.run_tool("amtool check-config", ["amtool", "check-config", f"{gen}/alertmanager/alertmanager.yml"])
        self.say(f"generated, checked by promtool ({len(tests)} test files) and amtool")

        self.procs.start("exporter", [self.binary, "serve", "--strategy", STRATEGY,
                                      "--web.listen-address", f"127.0.0.1:{exporter_port}"])
        self.wait("the exporter to be ready", lambda: (http("GET", self.exporter + "/-/ready")[0] == 200, "not ready"), 20)
        self.feeder = Feeder(self.exporter, rate=60)
        self.feeder.start()
        # A full window before Prometheus looks: drift over a few dozen events is noise.
        self.wait("a full window of healthy events", lambda: (self.feeder.sent["healthy"] >= WINDOW + LABEL_LAG, self.feeder.sent), 20)

        self.procs.start("alertmanager", ["prometheus-alertmanager", f"--config.file={gen}/alertmanager/alertmanager.yml",
                                          f"--storage.path={self.workdir}/alertmanager-data",
                                          f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="])
        self.procs.start("prometheus", ["prometheus", f"--config.file={gen}/prometheus/prometheus.yml",
                                        f"--storage.tsdb.path={self.workdir}/prometheus-data",
                                        f"--web.listen-address=127.0.0.1:{prom_port}"])
        for name, url in [("alertmanager", self.am_url), ("prometheus", self.prom_url)]:
            self.wait(f"{name} to be ready", lambda url=url: (http("GET", url + "/-/ready")[0] == 200, "not ready"), 30)
        self.prom = Prometheus(self.prom_url)
        self.say(f"exporter {self.exporter}, Prometheus {self.prom_url}, Alertmanager {self.am_url}, webhook :{self.webhook.port}")

    def run_tool(self, what, argv, cwd=REPO):
        r = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        with open(os.path.join(self.workdir, "tools.log"), "a") as f:
            f.write(f"$ {' '.join(argv)}\n{r.stdout}\n")
        if r.returncode != 0:
            raise Failure(f"{what} failed (status {r.returncode}):\n{r.stdout[-3000:]}")

    def stop(self):
        if self.feeder is not None:
            self.feeder.stop()
        self.procs.stop_all()
        if self.webhook is not None:
            self.webhook.stop()

    # -- checks

    def alerts_firing(self, expected):
        """(all of `expected` firing, detail)."""
        alerts = self.prom.alerts()
        firing = set(alert_names(alerts, "firing"))
        return set(expected) <= firing, describe(alerts)

    def check_alert_labels(self, expected):
        for a in self.prom.alerts():
            name = a["labels"]["alertname"]
            if name in self.tolerate:
                continue
            if name not in expected:
                raise Failure(f"unexpected alert in Prometheus: {describe([a])} (expected only {sorted(expected)})")
            team, severity, extra = expected[name]
            want = {"team": team, "severity": severity, "model": MODEL, "model_version": VERSION, **extra}
            wrong = {k: a["labels"].get(k) for k, v in want.items() if a["labels"].get(k) != v}
            if wrong:
                raise Failure(f"{name} fired with {a['labels']}; expected {want} (wrong: {wrong})")
            if not a.get("annotations", {}).get("summary") or "dashboard_url" not in a.get("annotations", {}):
                raise Failure(f"{name} lacks its annotations: {a.get('annotations')}")
        for name, (_, _, extra) in expected.items():
            instances = [a for a in self.prom.alerts() if a["labels"]["alertname"] == name]
            if len(instances) != 1:
                raise Failure(f"{name}: expected one instance ({extra or 'no extra labels'}), found {describe(instances)}")

    def notified_firing(self, name, team, severity, since):
        found = self.webhook.find(name, "firing", since)
        for t, _, receiver, a in found:
            if t != team or receiver != team or a["labels"].get("severity") != severity:
                raise Failure(f"{name} reached /{t} (receiver {receiver}) with severity {a['labels'].get('severity')}; expected /{team} with {severity}")
        return bool(found), f"{len(found)} firing notification(s) for {name}"

    def inhibited(self, name):
        status, body = http("GET", self.am_url + "/api/v2/alerts?" + urllib.parse.urlencode({"filter": f'alertname="{name}"'}))
        alerts = json.loads(body) if status == 200 else []
        states = [(a["status"]["state"], a["status"].get("inhibitedBy") or []) for a in alerts]
        return bool(states) and all(s == "suppressed" and by for s, by in states), f"Alertmanager: {states or 'no such alert'}"

    def fault(self, name, mode, expected, inhibited=(), before=None, tolerate=()):
        """Switches the feeder to `mode` (after `before()`, if given) and checks `expected`:
        alert name → (team, severity, extra labels). `tolerate`: alerts the fault may also
        raise (pending or firing, and at the webhook) until it has recovered."""
        started = time.monotonic()
        since = time.time()
        self.tolerate = set(tolerate)
        self.notified |= set(expected) | set(tolerate)
        self.never_notified |= set(inhibited)
        for alert in expected:
            self.fault_phase[alert] = name
        allowed = set(expected)
        self.say(f"{name}: feeder → {mode}; expecting {', '.join(sorted(expected))}")
        if before:
            before(allowed)
        else:
            self.feeder.set(mode=mode)
        detail = self.wait(f"{', '.join(sorted(expected))} firing in Prometheus", lambda: self.alerts_firing(expected), 45, allowed)
        self.say(f"{name}: firing in Prometheus: {detail}")
        self.pending_ok = set()
        self.check_alert_labels(expected)
        for alert, (team, severity, _) in sorted(expected.items()):
            if alert in inhibited:
                continue
            self.wait(f"{alert} at the webhook of team {team}", lambda a=alert, t=team, s=severity: self.notified_firing(a, t, s, since), 20, allowed)
            self.say(f"{name}: {alert} reached /{team} as {severity}")
        for alert in inhibited:
            self.wait(f"{alert} suppressed in Alertmanager", lambda a=alert: self.inhibited(a), 15, allowed)
            # Past Alertmanager's group_wait and a group_interval: it would have been sent by now.
            self.hold(f"{alert} must stay inhibited", 4, lambda a=alert: (not self.webhook.find(a, "firing") and self.inhibited(a)[0], self.inhibited(a)[1]), allowed)
            self.say(f"{name}: {alert} inhibited in Alertmanager, never at the webhook")
        if self.capture:
            self.capture_state(name)
        self.dashboards(name)
        self.phase(name, started)

        started = time.monotonic()
        self.feeder.set(mode="healthy", hold=False, paused=False)
        self.wait("every alert to resolve in Prometheus", lambda: (not self.prom.alerts(), describe(self.prom.alerts())), 45, allowed)
        for alert, (team, _, _) in sorted(expected.items()):
            if alert in inhibited:
                continue
            self.wait(f"the resolution of {alert} at /{team}",
                      lambda a=alert, t=team: (any(x[0] == t for x in self.webhook.find(a, "resolved", since)), "not yet"), 20)
        self.say(f"{name}: recovered; every alert resolved, resolutions received")
        self.tolerate = set()
        self.phase(f"{name} recovery", started)

    def quality_fault(self, allowed):
        """Labels stop while predictions turn wrong; once the window holds none of the old
        labelled events, the feeder pauses and labels arrive for fewer than
        min_labeled_events events: F1 is low but the alert waits; then the rest arrive."""
        f = self.feeder
        # Held labels empty the window's label coverage for a few seconds: the label-lag
        # guard may pend (its `for` is longer); it must not fire.
        self.pending_ok = {LABEL_LAG_ALERT}
        f.set(mode="quality", hold=True)
        start = f.sent["quality"]
        self.wait("a window of unlabelled quality-fault events",
                  lambda: (f.sent["quality"] - start >= WINDOW, f.sent["quality"] - start), 20, allowed)
        self.wait("no labelled event left in the window",
                  lambda: (self.value(f'model_window_labeled_events{{model="{MODEL}"}}') == 0, self.value(f'model_window_labeled_events{{model="{MODEL}"}}')), 15, allowed)
        # While the feeder pauses (a few seconds), the 10 s prediction rate may reach 0 and
        # the no-events guard pend; it must not fire.
        self.pending_ok = {NO_EVENTS, LABEL_LAG_ALERT}
        f.set(paused=True)
        few = f.release_held(newest=99)
        f1 = f'model_f1_score{{model="{MODEL}", class="1"}}'
        self.wait(f"{few} labelled events and a low F1 in Prometheus",
                  lambda: (self.value(f'model_window_labeled_events{{model="{MODEL}"}}') == few and (self.value(f1) or 1) < 0.6,
                           (self.value(f'model_window_labeled_events{{model="{MODEL}"}}'), self.value(f1))), 10, allowed)
        self.say(f"quality: F1 {self.value(f1):.3f} with {few} labelled events (< min_labeled_events 100): E2eF1Low must wait")
        self.hold("E2eF1Low must not even be pending below min_labeled_events", 4, self.quiet, ())
        rest = f.release_held()
        f.set(hold=False, paused=False)
        self.say(f"quality: {rest} more labels sent; the feeder goes on with late, wrong labels")

    def value(self, expr):
        r = self.prom.query(expr)
        return float(r[0]["value"][1]) if r else None

    def capture_state(self, name):
        os.makedirs(self.capture, exist_ok=True)
        slug = name.replace(" ", "-")
        with open(os.path.join(self.capture, f"{slug}-prometheus-alerts.json"), "w") as f:
            json.dump(self.prom.api("/api/v1/alerts"), f, indent=2)
        for args, file in [(["alert", "query"], "amtool-alert-query.txt"), (["alert", "query", "--inhibited"], "amtool-alert-query-inhibited.txt")]:
            r = subprocess.run(["amtool", *args, f"--alertmanager.url={self.am_url}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            with open(os.path.join(self.capture, f"{slug}-{file}"), "w") as f:
                f.write(r.stdout)
        for file in ["webhook.log", "webhook.ndjson"]:
            shutil.copy(os.path.join(self.workdir, file), os.path.join(self.capture, f"{slug}-{file}"))

    # -- dashboards

    def dashboard_queries(self):
        path = f"{self.gen}/grafana/dashboards/{MODEL}.json"
        d = json.load(open(path))
        panels = []
        for p in d.get("panels", []):
            panels.append(p)
            panels.extend(p.get("panels", []))  # collapsed rows hold theirs
        out = []
        for p in panels:
            for t in p.get("targets", []):
                if "expr" in t:
                    key = f"panel {p['id']} {p.get('title')!r} target {t.get('refId')}"
                    out.append((key, substitute(t["expr"]), p))
        variables = [v for v in d.get("templating", {}).get("list", []) if v.get("type") == "query"]
        return out, variables

    def dashboards(self, phase):
        queries, variables = self.dashboard_queries()
        if not queries:
            raise Failure("the generated dashboard has no queries")
        for key, expr, panel in queries:
            try:
                result = self.prom.query(expr)
            except Failure as e:
                raise Failure(f"dashboard {key}: {expr}: {e}")
            if result:
                self.dashboard_data.setdefault(key, []).append(phase)
            else:
                self.dashboard_data.setdefault(key, [])
            # An alert's stat panel ("<Alert>: …") colours its values by the alert's threshold.
            alert = panel.get("title", "").split(":")[0]
            if ":" in panel.get("title", "") and re.fullmatch(r"[A-Z][A-Za-z0-9]*", alert):
                steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
                colours = {colour(steps, float(r["value"][1])) for r in result}
                self.alert_panels.setdefault(alert, {})[phase] = colours
        for v in variables:
            m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", v["query"] if isinstance(v["query"], str) else v["query"].get("query", ""))
            if not m:
                raise Failure(f"dashboard variable {v['name']}: unexpected query {v['query']!r}")
            values = self.prom.api(f"/api/v1/label/{m.group(2)}/values", {"match[]": substitute(m.group(1))})
            if DASHBOARD_VARIABLES[v["name"]] not in values:
                raise Failure(f"dashboard variable {v['name']}: {v['query']} gives {values}")
        self.queries = queries

    def dashboards_had_data(self):
        empty = [(k, e) for k, e, _ in self.queries if not self.dashboard_data.get(k)]
        if empty:
            raise Failure("dashboard queries that returned no data in any phase:\n" + "\n".join(f"  {k}: {e}" for k, e, _ in empty))
        # Each alert's panel is all green while healthy and shows the alert's colour in its fault.
        for alert, phases in sorted(self.alert_panels.items()):
            if phases.get("healthy") != {"green"}:
                raise Failure(f"the panel of {alert} shows {phases.get('healthy')} while healthy, not green")
            fault = self.fault_phase.get(alert)
            if fault is None or not (phases.get(fault, set()) - {"green"}):
                raise Failure(f"the panel of {alert} shows {phases.get(fault)} in phase {fault}, where {alert} fires")

    # -- the whole scenario

    def scenario(self):
        started = time.monotonic()
        self.start()
        self.phase("start", started)

        started = time.monotonic()
        up = f'up{{job="model_exporter"}}'
        self.wait("the exporter target up", lambda: (self.value(up) == 1, self.value(up)), 20, allowed=self.startup_allowed())
        records = self.prom.recording_rules()
        if not records:
            raise Failure("Prometheus loaded no recording rule")
        self.wait("data from every recording rule",
                  lambda: (all(self.prom.query(r) for r in records), [r for r in records if not self.prom.query(r)]), 30, self.startup_allowed())
        # An invalid event: 400, counted as rejected, nothing else happens.
        status, body = http("POST", self.exporter + "/api/v1/events", b'{"id":"bad","features":{"income":"a lot"},"prediction":"1"}',
                            {"Content-Type": "application/json"})
        if status != 400:
            raise Failure(f"an invalid event got HTTP {status}: {body[:300]!r}")
        self.wait("no alert pending or firing", lambda: (not self.prom.alerts(), describe(self.prom.alerts())), 20, self.startup_allowed())
        self.hold("healthy: no alert may be pending or firing", 8, lambda: (not self.prom.alerts(), describe(self.prom.alerts())))
        if self.webhook.alerts():
            raise Failure(f"notifications while healthy: {self.webhook.alerts()}")
        self.dashboards("healthy")
        self.say(f"healthy: target up, {len(records)} recording rules return data, no alert, no notification")
        self.phase("healthy", started)

        self.fault("drift", "drift", {"E2eFeatureDrift": ("ml", "warning", {"feature": "income", "signal_group": "drift"})})
        # Wrong labels also change the error rate: the concept-drift detector may report it.
        self.fault("quality", "quality", {"E2eF1Low": ("ml", "critical", {"class": "1", "signal_group": "quality"})}, before=self.quality_fault,
                   tolerate={CONCEPT_DRIFT_ALERT})
        # Labels start disagreeing with the predictions (the error rate goes from 10 % to 90 %):
        # ADWIN on the error stream reports the change; F1 falls too and may fire.
        self.fault("concept drift", "quality",
                   {CONCEPT_DRIFT_ALERT: ("ml", "warning", {"detector": "adwin", "stream": "error", "signal_group": "drift"})},
                   tolerate={"E2eF1Low"})
        self.fault("fairness", "fairness", {"E2eFairnessGap": ("risk", "warning", {"attribute": "gender", "signal_group": "fairness"})})
        self.fault("latency", "latency", {"E2eLatencyP99Critical": ("platform", "critical", {"signal_group": "latency"}),
                                          "E2eLatencyP99High": ("platform", "warning", {"signal_group": "latency"})},
                   inhibited={"E2eLatencyP99High"})
        self.fault("missing", "missing", {"E2eMissingIncome": ("data-eng", "warning", {"feature": "income", "signal_group": "data_quality"})})
        self.fault("labels stop", "healthy", {LABEL_LAG_ALERT: ("ml", "warning", {"signal_group": "availability"})},
                   before=lambda allowed: self.feeder.set(hold=True))

        started = time.monotonic()
        self.notified.add(NO_EVENTS)
        since = time.time()
        self.feeder.stop()
        self.say("events stop")
        self.wait(f"{NO_EVENTS} firing", lambda: self.alerts_firing([NO_EVENTS]), 45, {NO_EVENTS})
        self.check_alert_labels({NO_EVENTS: ("platform", "warning", {"signal_group": "availability"})})
        self.wait(f"{NO_EVENTS} at the webhook of team platform", lambda: self.notified_firing(NO_EVENTS, "platform", "warning", since), 20, {NO_EVENTS})
        self.say(f"events stopped: {NO_EVENTS} fired and reached /platform as warning")
        if self.capture:
            self.capture_state("no-events")
        self.dashboards("no events")
        self.phase("events stop", started)

        self.dashboards_had_data()
        self.say(f"dashboard: {len(self.queries)} panel queries ran in every phase, each returned data in at least one")
        width = max(len(k) for k, _, _ in self.queries)
        for k, _, _ in self.queries:
            print(f"    {k:<{width}}  data in: {', '.join(self.dashboard_data[k])}")
        for alert, phases in sorted(self.alert_panels.items()):
            print(f"    panel of {alert}: " + ", ".join(f"{ph} {'/'.join(sorted(c)) or '-'}" for ph, c in phases.items()))

    def startup_allowed(self):
        # Before the first rule evaluations settle a guard may pend (the label counter is
        # new); the healthy check then waits for no alert at all, and holds that.
        return {NO_EVENTS, LABEL_LAG_ALERT}


def colour(steps, value):
    """Grafana's threshold colour of `value`: the last step whose value it reaches."""
    out = steps[0]["color"]
    for st in steps[1:]:
        if st["value"] is not None and value >= st["value"]:
            out = st["color"]
    return out


def substitute(expr):
    def one(m):
        name = m.group(1) or m.group(2)
        if name not in DASHBOARD_VARIABLES:
            raise Failure(f"dashboard query uses an unknown variable ${name}: {expr}")
        return DASHBOARD_VARIABLES[name]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", one, expr)


def run_once(binary, keep, capture):
    workdir = tempfile.mkdtemp(prefix="model_exporter-e2e-")
    run = Run(binary, workdir, capture)
    ok = False
    try:
        run.scenario()
        ok = True
    except Failure as e:
        print(f"\nE2E FAILED after {run.clock.elapsed():.1f}s: {e}\n", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"\nE2E interrupted after {run.clock.elapsed():.1f}s\n", file=sys.stderr)
    except Exception as e:
        import traceback
        print(f"\nE2E ERROR after {run.clock.elapsed():.1f}s: {type(e).__name__}: {e}\n{traceback.format_exc()}", file=sys.stderr)
    finally:
        run.stop()
    if not ok:
        print(run.procs.report(), file=sys.stderr)
        try:
            print("---- webhook notifications\n" + open(os.path.join(workdir, "webhook.log")).read(), file=sys.stderr)
        except OSError:
            pass
        if run.feeder is not None:
            print(f"---- feeder: events sent by mode {dict(run.feeder.sent)}, labels sent {run.feeder.labels_sent}, held {len(run.feeder.held)}", file=sys.stderr)
        print(f"---- files kept in {workdir}", file=sys.stderr)
        return False, run
    total = run.clock.elapsed()
    print("phases: " + ", ".join(f"{n} {s:.1f}s" for n, s in run.phases) + f"; total {total:.1f}s", flush=True)
    if keep:
        print(f"files kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return True, run


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, ".build/release/model_exporter"), help="the model_exporter binary")
    ap.add_argument("--runs", type=int, default=1, help="run the scenario this many times in a row")
    ap.add_argument("--keep", action="store_true", help="keep the generated files and logs of a passing run")
    ap.add_argument("--capture", help="save Prometheus' and amtool's view of each fault into this folder")
    args = ap.parse_args(argv)
    for tool in ["prometheus", "promtool", "prometheus-alertmanager", "amtool"]:
        if shutil.which(tool) is None:
            print(f"e2e: {tool} not found: run scripts/install-deps (Debian packages prometheus, prometheus-alertmanager)", file=sys.stderr)
            return 2
    if not os.access(args.bin, os.X_OK):
        print(f"e2e: {args.bin} is not an executable: build it (swift build -c release --static-swift-stdlib --product model_exporter)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    times = []
    for i in range(args.runs):
        if args.runs > 1:
            print(f"== run {i + 1} of {args.runs}", flush=True)
        started = time.monotonic()
        ok, _ = run_once(os.path.abspath(args.bin), args.keep, args.capture)
        times.append(time.monotonic() - started)
        if not ok:
            return 1
    print("e2e passed: " + ", ".join(f"{t:.1f}s" for t in times), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
