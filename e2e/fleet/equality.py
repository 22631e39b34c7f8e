#!/usr/bin/env python3
"""Fleet equality, on real servers: three exporters each get a third of an oracle case's
events; the fleet rules (`generate --fleet`) must give what one exporter fed every event gives.

  1. one Prometheus scrapes the three replicas and evaluates the fleet rules;
  2. the global view: two Prometheus servers each scrape a shard of the replicas (hashmod
     relabelling) and remote_write to a single-node VictoriaMetrics; vmalert evaluates the same
     fleet rules on what VictoriaMetrics holds and writes the results back there.

psi, jensen_shannon, hellinger and chi_square agree to 1e-9 relative; quality and fairness
exactly; the binned KS estimate lies within its bound of the exact statistic. Prints the cost
of the fleet rules (prometheus_rule_group_last_duration_seconds) for docs/fleet.md.

usage: equality.py BINARY [--global]   (every server on 127.0.0.1, started and stopped here)

Without --global only the first part runs. VictoriaMetrics keeps about 12 significant digits
of a sample, so values read back from it are held to 1e-9 relative, quality and fairness too.
FLEET_KEEP=1 keeps the servers' logs, FLEET_PAUSE=SECONDS leaves the servers up at the end.
"""
import csv
import hashlib
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = ["credit_all_methods", "animals_multiclass", "energy_regression"]
BINNED = {"psi", "jensen_shannon", "hellinger", "chi_square"}
TOLERANCE = 1e-9


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hashmod(value, modulus):
    """Prometheus' `hashmod` relabelling: the last 8 bytes of the MD5, big-endian, modulo."""
    return int.from_bytes(hashlib.md5(value.encode()).digest()[8:], "big") % modulus


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def post(url, body):
    req = urllib.request.Request(url, data=body.encode(), method="POST", headers={"Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status


def wait_until(what, check, timeout=60, interval=0.3):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            v = check()
            if v:
                return v
        except Exception as e:  # a server still starting
            last = e
        time.sleep(interval)
    raise Failure(f"timed out after {timeout}s waiting for {what} (last error: {last})")


class Processes:
    def __init__(self, logdir):
        self.logdir, self.procs = logdir, []

    def start(self, name, argv):
        out = open(os.path.join(self.logdir, f"{name}.log"), "wb")
        self.procs.append((name, subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO)))
        out.close()

    def stop_all(self):
        """SIGTERM to every server at once, then SIGKILL to any still up after 10 s."""
        running = [p for _, p in self.procs if p.poll() is None]
        for p in running:
            p.terminate()
        deadline = time.monotonic() + 10
        for p in running:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def tail(self):
        for name, _ in self.procs:
            lines = open(os.path.join(self.logdir, f"{name}.log"), errors="replace").read().splitlines()[-8:]
            print(f"--- {name}", *lines, sep="\n", file=sys.stderr)


def events_of(case):
    """The case's current CSV as events of the exporter's JSON API, labels inline."""
    d = os.path.join(REPO, "Tests/Fixtures/oracles", case)
    s = yaml.safe_load(open(os.path.join(d, "strategy.yml")))
    cols, regression = s["columns"], s["model"]["task"] == "regression"
    out = []
    for row in csv.DictReader(open(os.path.join(d, "current.csv"))):
        e = {"model": s["model"]["name"], "features": {}, "attributes": {}}
        if cols.get("id"):
            e["id"] = row[cols["id"]]
        for f in s["features"]:
            v = row[f["name"]]
            e["features"][f["name"]] = None if v == "" else (float(v) if f["type"] == "numerical" else v)
        for a in s.get("protected_attributes", []):
            e["attributes"][a] = row[a] or None
        e["prediction"] = float(row[cols["prediction"]]) if regression else row[cols["prediction"]]
        if cols.get("score") and row[cols["score"]] != "":
            e["score"] = float(row[cols["score"]])
        if cols.get("label") and row[cols["label"]] != "":
            e["label"] = float(row[cols["label"]]) if regression else row[cols["label"]]
        out.append(json.dumps(e))
    return out


def parse_exposition(text):
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, value = line.rsplit(" ", 1)
        name, labels = head, {}
        if "{" in head:
            name, rest = head.split("{", 1)
            for part in json.loads("{" + ",".join(
                    f'"{kv.split("=", 1)[0]}":{kv.split("=", 1)[1]}' for kv in split_labels(rest[:-1])) + "}").items():
                labels[part[0]] = part[1]
        out[(name, frozenset(labels.items()))] = float(value)
    return out


def split_labels(s):
    parts, cur, quoted, escaped = [], "", False, False
    for c in s:
        if escaped:
            cur, escaped = cur + c, False
        elif c == "\\":
            cur, escaped = cur + c, True
        elif c == '"':
            cur, quoted = cur + c, not quoted
        elif c == "," and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    if cur:
        parts.append(cur)
    return parts


def query(base, expr, extra=None):
    params = {"query": expr}
    params.update(extra or {})
    body = json.loads(get(f"{base}/api/v1/query?" + urllib.parse.urlencode(params)))
    if body.get("status") != "success":
        raise Failure(f"{base}: {expr}: {body}")
    return body["data"]["result"]


def fleet_series(base, extra=None):
    out = {}
    for r in query(base, '{__name__=~"fleet:.+"}', extra):
        labels = dict(r["metric"])
        name = labels.pop("__name__")
        for drop in ("job", "instance", "prometheus"):
            labels.pop(drop, None)
        out[(name, frozenset(labels.items()))] = float(r["value"][1])
    return out


def compare(single, fleet, where, stored_digits=False):
    """Every fleet value against the single exporter's; returns the number of checks.
    `stored_digits`: the values went through VictoriaMetrics, which keeps about 12 significant
    digits of a sample, so every value (quality and fairness too) is held to 1e-9 relative."""
    checks = 0
    problems = []
    exact_names = [n for (n, _) in fleet if n.startswith("fleet:model_") and not n.endswith((":sum", ":max", "_window_ratio", "_error_bound", ":distinct"))]
    for (name, labels), got in sorted(fleet.items(), key=lambda kv: (kv[0][0], sorted(kv[0][1]))):
        if name not in exact_names:
            continue
        lab = dict(labels)
        base = name[len("fleet:"):]
        if lab.get("method") == "ks_binned":
            exact = dict(lab, method="ks")
            d = single.get((base, frozenset(exact.items())))
            bound = fleet.get(("fleet:model_feature_ks_error_bound", frozenset({k: v for k, v in lab.items() if k != "method"}.items())))
            if d is None or bound is None:
                problems.append(f"{name}{lab}: no exact ks ({d}) or bound ({bound}) to compare with")
            elif not (got <= d + 1e-12 and d <= got + bound + 1e-12):
                problems.append(f"{name}{lab}: binned {got}, exact {d}, bound {bound}")
            checks += 1
            continue
        want = single.get((base, labels))
        if want is None:
            problems.append(f"{name}{lab} = {got}: the single exporter has no such series")
            continue
        relative = stored_digits or lab.get("method") in BINNED or lab.get("class") == "macro" or base.startswith(("model_mean", "model_root"))
        tol = TOLERANCE * abs(want) if relative else 0
        if abs(got - want) > tol:
            problems.append(f"{name}{lab}: fleet {got!r}, single exporter {want!r}")
        checks += 1
    # Coverage: every binned drift score, quality and fairness value of the single exporter has its fleet twin.
    families = {"model_accuracy_ratio", "model_precision_ratio", "model_recall_ratio", "model_f1_score",
                "model_group_selection_rate_ratio", "model_group_true_positive_rate_ratio", "model_group_false_positive_rate_ratio",
                "model_demographic_parity_difference", "model_demographic_parity_ratio", "model_equalized_odds_difference",
                "model_equal_opportunity_difference", "model_mean_absolute_error", "model_mean_squared_error",
                "model_root_mean_squared_error"}
    for (name, labels) in single:
        lab = dict(labels)
        wanted = name in families or (name.endswith("_drift_score") and lab.get("method") in BINNED
                                      and not (name != "model_feature_drift_score" and lab.get("method") == "ks"))
        if wanted and ("fleet:" + name, labels) not in fleet:
            problems.append(f"{name}{lab}: no fleet series")
    if problems:
        raise Failure(f"{where}: {len(problems)} mismatches:\n  " + "\n  ".join(problems[:40]))
    return checks


def main(argv):
    binary = os.path.abspath(argv[1] if len(argv) > 1 and not argv[1].startswith("--") else os.path.join(REPO, ".build/release/model_exporter"))
    for tool in ("prometheus", "victoria-metrics", "vmalert"):
        if not shutil.which(tool):
            raise Failure(f"{tool} is not installed (scripts/install-deps installs it)")
    work = tempfile.mkdtemp(prefix="fleet-")
    procs = Processes(work)
    started = time.monotonic()
    try:
        strategies = [os.path.join(REPO, "Tests/Fixtures/oracles", c, "strategy.yml") for c in CASES]
        flags = sum((["--strategy", s] for s in strategies), [])
        subprocess.run([binary, "generate", "--fleet", "--out", os.path.join(work, "gen")] + flags, check=True, stdout=subprocess.DEVNULL)
        rules = [os.path.join(work, "gen/prometheus/rules", f"{m}.fleet.rules.yml") for m in CASES]

        # Replica ports whose hashmod shards differ, so each sharded Prometheus scrapes at least one.
        ports = [free_port() for _ in range(4)]
        while len({hashmod(f"127.0.0.1:{p}", 2) for p in ports[:3]}) < 2:
            ports = [free_port() for _ in range(4)]
        for i, port in enumerate(ports):
            procs.start(f"exporter{i}", [binary, "serve", "--web.listen-address", f"127.0.0.1:{port}", "--log.level", "warn"] + flags)
        for port in ports:
            wait_until(f"exporter on {port}", lambda p=port: get(f"http://127.0.0.1:{p}/-/ready"))
        total = 0
        for case in CASES:
            events = events_of(case)
            total += len(events)
            for k in range(3):  # a third each, interleaved
                post(f"http://127.0.0.1:{ports[k]}/api/v1/events", "\n".join(events[k::3]) + "\n")
            post(f"http://127.0.0.1:{ports[3]}/api/v1/events", "\n".join(events) + "\n")
        # Statistics are computed off the scrape path: read them once they include every
        # accepted event (model_statistics_age_seconds 0 for every model of every exporter).
        def current(port):
            ages = [v for (n, _), v in parse_exposition(get(f"http://127.0.0.1:{port}/metrics")).items()
                    if n == "model_statistics_age_seconds"]
            return len(ages) >= len(CASES) and all(v == 0 for v in ages)
        wait_until("statistics that include every accepted event", lambda: all(current(p) for p in ports))
        single = parse_exposition(get(f"http://127.0.0.1:{ports[3]}/metrics"))
        targets = [f"127.0.0.1:{p}" for p in ports[:3]]

        # 1. One Prometheus, the fleet rules.
        prom = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": rules,
            "scrape_configs": [{"job_name": "model_exporter", "static_configs": [{"targets": targets}]}],
        }
        path = os.path.join(work, "prometheus.yml")
        yaml.safe_dump(config, open(path, "w"))
        procs.start("prometheus", ["prometheus", f"--config.file={path}", f"--storage.tsdb.path={work}/tsdb",
                                   f"--web.listen-address=127.0.0.1:{prom}"])
        base = f"http://127.0.0.1:{prom}"
        labeled = sum(v for (n, _), v in single.items() if n == "model_window_labeled_events")
        if labeled == 0:
            raise Failure("the single exporter shows no labelled event: nothing to compare")
        wait_until("the fleet rules over every event", lambda: sum(
            float(r["value"][1]) for r in query(base, "fleet:model_window_labeled_events:sum")) == labeled, timeout=60)
        time.sleep(2.5)  # every rule of that evaluation recorded
        fleet = fleet_series(base)
        checks = compare(single, fleet, "one Prometheus")
        compared = {k for k in fleet if k[0] in {n for (n, _) in fleet}}
        digests = {r["metric"]["model"]: float(r["value"][1]) for r in query(base, "fleet:model_reference_info:distinct")}
        if any(v != 1 for v in digests.values()) or len(digests) != len(CASES):
            raise Failure(f"replicas of one model should share one reference digest: {digests}")
        own = parse_exposition(get(f"{base}/metrics"))
        cost = {dict(l)["rule_group"].split(";")[-1]: v for (n, l), v in own.items() if n == "prometheus_rule_group_last_duration_seconds" and dict(l)["rule_group"].endswith(".fleet")}
        rules_count = {dict(l)["rule_group"].split(";")[-1]: v for (n, l), v in own.items() if n == "prometheus_rule_group_rules" and dict(l)["rule_group"].endswith(".fleet")}
        series = query(base, 'count({__name__=~"fleet:.+"})')[0]["value"][1]
        scraped = query(base, 'sum(scrape_samples_scraped{job="model_exporter"})')[0]["value"][1]
        print(f"one Prometheus: {checks} fleet values equal the single exporter's ({len(fleet)} fleet series, {total} events)")
        for group, seconds in sorted(cost.items()):
            print(f"  rule group {group}: {rules_count.get(group, 0):.0f} rules, last evaluation {seconds * 1000:.2f} ms")
        print(f"  {series} fleet series recorded; {scraped} samples per scrape round over the 3 replicas")

        if "--global" not in argv:
            print(f"fleet equality passed in {time.monotonic() - started:.1f}s")
            return 0

        # 2. The global view: two shards remote-writing to VictoriaMetrics, vmalert for the rules.
        vm = free_port()
        procs.start("victoria-metrics", ["victoria-metrics", f"-storageDataPath={work}/vm", f"-httpListenAddr=127.0.0.1:{vm}",
                                         "-search.latencyOffset=0s", "-search.disableCache", "-loggerLevel=WARN"])
        vmbase = f"http://127.0.0.1:{vm}"
        wait_until("VictoriaMetrics", lambda: get(f"{vmbase}/health"))
        shards = []
        for k in range(2):
            port = free_port()
            cfg = {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "remote_write": [{"url": f"{vmbase}/api/v1/write", "queue_config": {"batch_send_deadline": "1s"}}],
                "scrape_configs": [{
                    "job_name": "model_exporter", "static_configs": [{"targets": targets}],
                    "relabel_configs": [
                        {"source_labels": ["__address__"], "modulus": 2, "target_label": "__tmp_shard", "action": "hashmod"},
                        {"source_labels": ["__tmp_shard"], "regex": str(k), "action": "keep"},
                    ],
                }],
            }
            p = os.path.join(work, f"shard{k}.yml")
            yaml.safe_dump(cfg, open(p, "w"))
            procs.start(f"prometheus-shard{k}", ["prometheus", f"--config.file={p}", f"--storage.tsdb.path={work}/tsdb{k}",
                                                 f"--web.listen-address=127.0.0.1:{port}"])
            shards.append(f"http://127.0.0.1:{port}")
        vmalert = free_port()
        procs.start("vmalert", ["vmalert", f"-datasource.url={vmbase}", f"-remoteWrite.url={vmbase}", f"-httpListenAddr=127.0.0.1:{vmalert}",
                                "-evaluationInterval=1s", "-remoteWrite.flushInterval=500ms", "-loggerLevel=WARN"] + [f"-rule={r}" for r in rules])
        split = [len(wait_until(f"shard {k}'s targets", lambda b=b: json.loads(get(f"{b}/api/v1/targets"))["data"]["activeTargets"] or None))
                 for k, b in enumerate(shards)]
        wait_until("the global fleet rules over every event", lambda: sum(
            float(r["value"][1]) for r in query(vmbase, "fleet:model_window_labeled_events:sum", {"latency_offset": "0s"})) == labeled, timeout=90)
        # vmalert reads a chained rule's input back from VictoriaMetrics, one evaluation (and a
        # remote-write flush) later: the chain settles after a few evaluations.
        result = {}

        def settled():
            try:
                got = fleet_series(vmbase, {"latency_offset": "0s"})
                result["checks"] = compare(single, got, "VictoriaMetrics + vmalert", stored_digits=True)
                missing = sorted(f"{n}{dict(l)}" for (n, l) in compared - set(got))
                if missing:
                    raise Failure(f"{len(missing)} fleet series of the single Prometheus are missing from VictoriaMetrics: {missing[:10]}")
                return True
            except Failure as e:
                result["error"] = e
                return False
        settled_at = time.monotonic()
        try:
            wait_until("the global fleet series to settle", settled, timeout=60, interval=1)
        except Failure:
            raise result["error"]
        checks = result["checks"]
        print(f"  settled {time.monotonic() - settled_at:.1f}s after the sums were complete")
        print(f"global view: {checks} fleet values read back from VictoriaMetrics equal the single exporter's "
              f"(shards scrape {split[0]} and {split[1]} of the 3 replicas)")
        print(f"fleet equality passed in {time.monotonic() - started:.1f}s")
        return 0
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        procs.tail()
        return 1
    finally:
        time.sleep(float(os.environ.get("FLEET_PAUSE", "0")))  # to look at the servers by hand
        procs.stop_all()
        if os.environ.get("FLEET_KEEP") is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
