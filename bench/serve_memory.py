#!/usr/bin/env python3
"""Resident memory of `serve` with a full window, and where it goes.

  bench/serve_memory.py --bin .build/release/model_exporter --strategy bench/data/full/wide/strategy-w10000.yml \
      --events bench/data/full/wide/events/*.ndjson --window 10000

Starts the exporter on 127.0.0.1, waits for /-/ready, posts the NDJSON bodies again and again
until WINDOW events went in, scrapes /metrics once, then reads /proc/PID/status and
/proc/PID/smaps and prints one JSON object:

  rss, peak_rss, baseline_rss (ready, window empty), raw_bytes (the window as 8-byte numbers:
  features + 6 columns per event), target (2 × raw + 30 MB, the goal), met,
  threads, thread_stacks (resident bytes of the threads' stack mappings),
  heap (resident bytes of anonymous mappings: malloc's main heap and arenas),
  binary (resident bytes of mapped files: the executable and shared libraries, the Swift
  runtime among them), other.
"""
import argparse
import json
import time

from served import Served


def status(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def kib(text):
    return int(text.split()[0]) * 1024


def breakdown(pid):
    """Resident bytes per kind of mapping, from /proc/PID/smaps."""
    kinds = {"thread_stacks": 0, "heap": 0, "binary": 0, "other": 0}
    name = None
    size = 0
    for line in open(f"/proc/{pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            size = hi - lo
            name = fields[5] if len(fields) > 5 else ""
        elif fields[0] == "Rss:":
            rss = int(fields[1]) * 1024
            if name in ("[stack]",) or (name == "" and size in STACK_SIZES):
                kinds["thread_stacks"] += rss
            elif name in ("", "[heap]"):
                kinds["heap"] += rss
            elif name.startswith("/"):
                kinds["binary"] += rss
            else:
                kinds["other"] += rss
    return kinds


# Anonymous mappings of these sizes are thread stacks (glibc's default 8 MiB plus its guard
# page; Dispatch's 512 KiB worker stacks plus guard).
STACK_SIZES = {8 << 20, (8 << 20) + 4096, 512 << 10, (512 << 10) + 4096}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--strategy", required=True)
    p.add_argument("--events", nargs="+", required=True, help="NDJSON bodies of 1,000 events")
    p.add_argument("--window", type=int, required=True)
    p.add_argument("--features", type=int, help="features of the model (default: counted in the strategy)")
    p.add_argument("--arg", action="append", default=[], help="an extra argument of serve (repeatable)")
    a = p.parse_args()
    features = a.features or sum(1 for line in open(a.strategy) if line.startswith("  - name:"))
    with Served(a.bin, [a.strategy], a.arg) as served:
        time.sleep(0.2)
        baseline = kib(status(served.pid)["VmRSS"])
        bodies = [open(f, "rb").read() for f in a.events]
        sent = 0
        while sent < a.window:
            for body in bodies:
                if sent >= a.window:
                    break
                served.post(body)
                sent += body.count(b"\n")
        served.get()
        time.sleep(1.5)  # the statistics worker publishes what the last posts changed
        served.get()
        s = status(served.pid)
        rss = kib(s["VmRSS"])
        raw = a.window * (features + 6) * 8
        target = 2 * raw + 30_000_000
        out = {"runs": [rss], "rss": rss, "peak_rss": kib(s["VmHWM"]), "baseline_rss": baseline, "window": a.window,
               "features": features, "raw_bytes": raw, "target": target, "met": rss <= target,
               "threads": int(s["Threads"])}
        out.update(breakdown(served.pid))
        print(json.dumps(out))


if __name__ == "__main__":
    main()
