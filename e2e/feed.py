#!/usr/bin/env python3
"""Posts the end-to-end test's events to a running exporter, with labels arriving late.

usage: feed.py [--url http://127.0.0.1:9744] [--mode healthy] [--rate 60] [--hold-labels]

Modes (data.py): healthy, drift, quality, fairness, latency, missing. Events go in NDJSON
batches every 0.1 s (`POST /api/v1/events`), each event's label LABEL_LAG events later
(`POST /api/v1/labels`); --hold-labels sends none (the label-lag guard's fault). Runs until
Ctrl-C. scenario.py drives the Feeder class directly. Python's standard library only.
"""
import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, deque

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

LABEL_LAG = 40  # labels arrive this many events after their prediction


class FeedError(Exception):
    pass


def http(method, url, body=None, headers=None, timeout=5):
    """(status, body bytes); connection errors raise OSError."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def ndjson(items):
    return ("\n".join(json.dumps(i, separators=(",", ":")) for i in items) + "\n").encode()


class Feeder(threading.Thread):
    """Posts draw()'s events at a steady rate, and each event's label LABEL_LAG events later
    (or keeps them in `held` while `hold` is set). `set` switches mode, hold and pause; the
    lock is held while a batch is sent, so `set(paused=True)` returns with none in flight."""

    def __init__(self, url, rate=60, seed=5):
        super().__init__(name="feeder", daemon=True)
        self.url = url
        self.rate = rate
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.mode = "healthy"
        self.hold = False
        self.paused = False
        self.seq = 0
        self.pending = deque()
        self.held = []
        self.sent = Counter()
        self.labels_sent = 0
        self.error = None
        self.done = threading.Event()

    def set(self, mode=None, hold=None, paused=None):
        with self.lock:
            if mode is not None:
                self.mode = mode
            if hold is not None:
                self.hold = hold
            if paused is not None:
                self.paused = paused

    def post_labels(self, labels):
        status, body = http("POST", self.url + "/api/v1/labels", ndjson([{"id": i, "label": l} for i, l in labels]),
                            {"Content-Type": "application/x-ndjson"})
        if status != 200:
            raise FeedError(f"POST /api/v1/labels: HTTP {status}: {body[:300]!r}")
        self.labels_sent += len(labels)

    def release_held(self, newest=None):
        """Sends the held labels (the newest `newest` of them, or all); returns how many."""
        with self.lock:
            batch = self.held[-newest:] if newest else self.held
            self.held = self.held[:-newest] if newest else []
            if batch:
                self.post_labels(batch)
            return len(batch)

    def stop(self):
        self.done.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(10)

    def run(self):
        tick = 0.1
        per_tick = max(1, int(self.rate * tick))
        next_time = time.monotonic()
        try:
            while not self.done.is_set():
                with self.lock:
                    if not self.paused:
                        self.send(per_tick)
                next_time += tick
                delay = next_time - time.monotonic()
                if delay < -1:
                    next_time = time.monotonic()  # fell behind (a busy machine): do not burst
                elif delay > 0:
                    self.done.wait(delay)
        except Exception as e:  # the driver reports it
            self.error = f"{type(e).__name__}: {e}"

    def send(self, n):
        rows = [data.draw(self.rng, self.mode) for _ in range(n)]
        events = [data.event(self.seq + k, r) for k, r in enumerate(rows)]
        status, body = http("POST", self.url + "/api/v1/events", ndjson(events), {"Content-Type": "application/x-ndjson"})
        if status != 200:
            raise FeedError(f"POST /api/v1/events: HTTP {status}: {body[:300]!r}")
        self.seq += n
        self.sent[self.mode] += n
        for e, r in zip(events, rows):
            self.pending.append((e["id"], str(r["label"])))
        due = []
        while len(self.pending) > LABEL_LAG:
            due.append(self.pending.popleft())
        if self.hold:
            self.held.extend(due)
        elif due:
            self.post_labels(due)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:9744")
    ap.add_argument("--mode", default="healthy", choices=data.MODES)
    ap.add_argument("--rate", type=float, default=60.0, help="events per second")
    ap.add_argument("--hold-labels", action="store_true", help="send no labels")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args(argv)
    f = Feeder(args.url, rate=args.rate, seed=args.seed)
    f.set(mode=args.mode, hold=args.hold_labels)
    f.start()
    print(f"posting {args.mode} events to {args.url} at {args.rate:g}/s" + (", no labels" if args.hold_labels else f", labels {LABEL_LAG} events late") + "; Ctrl-C stops", flush=True)
    try:
        while f.is_alive():
            time.sleep(5)
            print(f"{sum(f.sent.values())} events, {f.labels_sent} labels sent", flush=True)
    except KeyboardInterrupt:
        f.stop()
    if f.error:
        print(f"feed.py: {f.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
