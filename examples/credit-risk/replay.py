#!/usr/bin/env python3
"""Replays the example's events to a running exporter at a steady rate, with labels late.

usage: replay.py [--url http://127.0.0.1:9744] [--rate 200] [--batch 50] [--label-lag 500]
                 [--limit N] [--loop] [--challenger-every 5]

Logs events.ndjson through the Python client (clients/python: `Monitor.log`, which batches
them into `POST /api/v1/events`) at --rate events/s, and the ground truth of each event
--label-lag events later (`Monitor.label`), as labels arrive in production. Every
--challenger-every-th event is sent as the challenger's (`model_version` 3.3.0-rc1, the
strategy's `versions:`), as an A/B split would route it. Exits 1 when
anything was refused, dropped or not delivered.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    from model_exporter_client import Monitor
except ImportError:  # not installed: the repository's copy
    sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))
    from model_exporter_client import Monitor


# The challenger of strategy.yml's `versions:`.
CHALLENGER = "3.3.0-rc1"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:9744")
    ap.add_argument("--rate", type=float, default=200.0, help="events per second")
    ap.add_argument("--batch", type=int, default=50, help="events per request")
    ap.add_argument("--label-lag", type=int, default=500, help="labels arrive this many events late")
    ap.add_argument("--limit", type=int, default=0, help="stop after this many events (0: all)")
    ap.add_argument("--loop", action="store_true", help="start again at the end")
    ap.add_argument("--challenger-every", type=int, default=5,
                    help="send every N-th event as the challenger's (0: none)")
    args = ap.parse_args(argv)

    with open(os.path.join(HERE, "events.ndjson")) as f:
        events = [json.loads(line) for line in f]
    with open(os.path.join(HERE, "labels.ndjson")) as f:
        labels = [json.loads(line) for line in f]
    if args.limit:
        events, labels = events[: args.limit], labels[: args.limit]
    for e in events:
        e["latency"] = e.pop("latency_seconds", None)

    def refused(r):
        print(f"the exporter refused {r.dropped} {r.endpoint} (HTTP {r.status}): {r.error} {r.problems}", file=sys.stderr)

    # A queue that holds the whole replay: a fast replay waits for nothing and drops nothing.
    monitor = Monitor(
        args.url, batch_size=args.batch, flush_interval=0.2, max_queue=2 * len(events) + 1,
        on_rejected=refused, max_retries=3,
    )
    sent = labelled = 0
    start = time.monotonic()
    while True:
        for i, e in enumerate(events):
            challenger = args.challenger_every > 0 and i % args.challenger_every == args.challenger_every - 1
            monitor.log(**e, model_version=CHALLENGER if challenger else None)
            sent += 1
            due = max(0, i + 1 - args.label_lag)
            while labelled < due:
                monitor.label(labels[labelled]["id"], labels[labelled]["label"])
                labelled += 1
            if sent % 1000 == 0:
                half = "drifted half" if i >= len(events) // 2 else "healthy half"
                print(f"{sent} events logged ({half}), {labelled} labels", flush=True)
            # Steady rate: sleep until this event's slot.
            delay = start + sent / args.rate - time.monotonic()
            if delay > 0.005:
                time.sleep(delay)
        while labelled < len(labels):
            monitor.label(labels[labelled]["id"], labels[labelled]["label"])
            labelled += 1
        if not args.loop:
            break
        labelled = 0
    monitor.close(timeout=60)
    s = monitor.stats()
    print(f"done: {s.events_sent} events, {s.labels_sent} labels in {time.monotonic() - start:.1f}s")
    if s.rejected or s.dropped or s.failed:
        print(f"not delivered: {s.rejected} refused, {s.dropped} dropped, {s.failed} failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
