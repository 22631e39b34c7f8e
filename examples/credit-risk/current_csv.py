#!/usr/bin/env python3
"""Writes the example's prediction events, with their labels, as a CSV `evaluate` reads.

  python3 examples/credit-risk/current_csv.py [--last N] > current.csv

The columns are the reference's (reference.csv); events have no timestamp in the replay, so
`ts` is left empty. The default, the last 5,000 events, is the drifted half's end: what the
exporter's window holds once the replay is over. Standard library only.
"""
import argparse
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--last", type=int, default=5000, help="how many of the last events to write (0: all)")
    a = p.parse_args()
    with open(os.path.join(HERE, "reference.csv"), newline="") as f:
        columns = next(csv.reader(f))
    labels = {}
    with open(os.path.join(HERE, "labels.ndjson")) as f:
        for line in f:
            o = json.loads(line)
            labels[o["id"]] = o["label"]
    with open(os.path.join(HERE, "events.ndjson")) as f:
        events = [json.loads(line) for line in f]
    if a.last > 0:
        events = events[-a.last:]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(columns)
    for e in events:
        cells = {"request_id": e["id"], "ts": "", "prediction": e["prediction"], "score": e.get("score", ""),
                 "label": labels.get(e["id"], ""), "latency_seconds": e.get("latency_seconds", "")}
        cells.update({k: ("" if v is None else v) for k, v in e["features"].items()})
        cells.update(e.get("attributes", {}))
        out.writerow([cells.get(c, "") for c in columns])


if __name__ == "__main__":
    main()
