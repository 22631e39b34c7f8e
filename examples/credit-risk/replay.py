#!/usr/bin/env python3
"""Replays the example's events to a running exporter at a steady rate, with labels late.

usage: replay.py [--url http://127.0.0.1:9744] [--rate 200] [--batch 50] [--label-lag 500]
                 [--limit N] [--loop]

Posts events.ndjson in NDJSON batches (`POST /api/v1/events`) at --rate events/s, and the
ground truth of each event --label-lag events later (`POST /api/v1/labels`), as labels arrive
in production. Python's standard library only.
"""
import argparse
import os
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def post(url, lines):
    body = ("\n".join(lines) + "\n").encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/x-ndjson"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:9744")
    ap.add_argument("--rate", type=float, default=200.0, help="events per second")
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--label-lag", type=int, default=500, help="labels arrive this many events late")
    ap.add_argument("--limit", type=int, default=0, help="stop after this many events (0: all)")
    ap.add_argument("--loop", action="store_true", help="start again at the end")
    args = ap.parse_args(argv)

    events = open(os.path.join(HERE, "events.ndjson")).read().splitlines()
    labels = open(os.path.join(HERE, "labels.ndjson")).read().splitlines()
    if args.limit:
        events, labels = events[: args.limit], labels[: args.limit]
    sent = labelled = 0
    start = time.monotonic()
    while True:
        for i in range(0, len(events), args.batch):
            status, body = post(args.url + "/api/v1/events", events[i : i + args.batch])
            if status != 200:
                print(f"events {i}..{i + args.batch}: HTTP {status}: {body}", file=sys.stderr)
                return 1
            sent += len(events[i : i + args.batch])
            due = max(0, i + args.batch - args.label_lag)
            if due > labelled:
                status, body = post(args.url + "/api/v1/labels", labels[labelled:due])
                if status != 200:
                    print(f"labels: HTTP {status}: {body}", file=sys.stderr)
                    return 1
                labelled = due
            if sent % 1000 < args.batch:
                half = "drifted half" if i >= len(events) // 2 else "healthy half"
                print(f"{sent} events sent ({half}), {labelled} labels", flush=True)
            # Steady rate: sleep until this batch's slot.
            delay = start + sent / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        if labelled < len(labels):
            post(args.url + "/api/v1/labels", labels[labelled:])
            labelled = len(labels)
        if not args.loop:
            break
        labelled = 0
    print(f"done: {sent} events, {labelled} labels in {time.monotonic() - start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
