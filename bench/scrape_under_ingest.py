#!/usr/bin/env python3
"""Scrape latency of `serve`, idle and under sustained ingest, in one run.

  bench/scrape_under_ingest.py --bin .build/release/model_exporter --strategy bench/data/full/scrape/m1/model00.yml \
      --fill bench/data/full/scrape/m1/events.ndjson --bodies bench/data/full/scrape/m1/bodies/*.ndjson --seconds 10

Starts the exporter on 127.0.0.1, fills the windows (posts FILL in bodies of 1,000 lines), then:

  1. idle: one connection GETs /metrics back to back for SECONDS (wrk, bench/scrape.lua), then
     /-/healthy the same way;
  2. under ingest: two connections POST the 1,000-event BODIES back to back (wrk,
     bench/ingest.lua) while one connection GETs /metrics back to back for SECONDS, then
     /-/healthy for SECONDS.

`/-/healthy` answers eight bytes and computes nothing: its p99 under the same ingest is the floor
of any request on this machine while the load generators and the exporter's ingest share its
cores, the latency a scrape cannot go below whatever it serves.

Prints one JSON object: series (sample lines of a scrape), bytes, idle and ingesting p50/p99
(microseconds), ratio (ingesting p99 / idle p99; the goal is at most 3), met, the same four
percentiles of /-/healthy (floor_*), the events/s
ingested meanwhile, the exporter's CPU seconds during the ingest phase, and the model
statistics' age and last computation time as the last scrape reported them.
"""
import argparse
import json
import os
import re
import subprocess
import time

from served import Served

HERE = os.path.dirname(os.path.abspath(__file__))


def wrk_json(out):
    for line in out.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit(f"scrape_under_ingest.py: no result from wrk:\n{out}")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape(port, seconds, path="/metrics"):
    out = subprocess.run(["wrk", "-t1", "-c1", f"-d{seconds}s", "-s", os.path.join(HERE, "scrape.lua"),
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    return wrk_json(out)


def values(text, name):
    return [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if re.match(name + r"[{ ]", line)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--strategy", nargs="+", required=True)
    p.add_argument("--fill", required=True, help="NDJSON events that fill the windows")
    p.add_argument("--bodies", nargs="+", required=True, help="NDJSON bodies of 1,000 events posted while scraping")
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--arg", action="append", default=[], help="an extra argument of serve (repeatable)")
    a = p.parse_args()
    with Served(a.bin, a.strategy, a.arg) as served:
        lines = open(a.fill, "rb").read().splitlines(keepends=True)
        for i in range(0, len(lines), 1000):
            served.post(b"".join(lines[i:i + 1000]))
        time.sleep(2)  # let the statistics settle before the idle phase
        text = served.get()
        series = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
        idle = scrape(served.port, a.seconds)
        floor_idle = scrape(served.port, a.seconds, "/-/healthy")
        cpu0 = cpu_seconds(served.pid)
        ingest = subprocess.Popen(["wrk", "-t2", "-c2", f"-d{2 * a.seconds + 3}s", "-s", os.path.join(HERE, "ingest.lua"),
                                   f"http://127.0.0.1:{served.port}", "--", *a.bodies], stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        busy = scrape(served.port, a.seconds)
        text = served.get()
        cpu = cpu_seconds(served.pid) - cpu0
        floor_busy = scrape(served.port, a.seconds, "/-/healthy")
        ingested = wrk_json(ingest.communicate()[0])
        ratio = busy["p99_us"] / max(1, idle["p99_us"])
        out = {
            "series": series, "bytes": len(text.encode()),
            "idle_p50_us": idle["p50_us"], "idle_p99_us": idle["p99_us"], "idle_requests": idle["requests"],
            "ingesting_p50_us": busy["p50_us"], "ingesting_p99_us": busy["p99_us"], "ingesting_requests": busy["requests"],
            "ratio": ratio, "met": ratio <= 3,
            "floor_idle_p50_us": floor_idle["p50_us"], "floor_idle_p99_us": floor_idle["p99_us"],
            "floor_ingesting_p50_us": floor_busy["p50_us"], "floor_ingesting_p99_us": floor_busy["p99_us"],
            "ingest_events_per_second": ingested["requests"] * 1000 / (ingested["duration_us"] / 1e6),
            "ingest_non2xx": ingested["non2xx"], "cpu_seconds_ingesting": cpu,
            "statistics_age_seconds": max(values(text, "model_statistics_age_seconds"), default=None),
            "statistics_compute_seconds": max(values(text, "model_statistics_compute_seconds"), default=None),
        }
        print(json.dumps(out))


if __name__ == "__main__":
    main()
