#!/usr/bin/env python3
"""Detection indices of river 0.26.1's ADWIN, PageHinkley and binary.DDM on seeded random
streams, with default and overridden parameters, for DetectorTests to hold the Swift
detectors to (river_detectors.json covers the defaults on the public streams).

Run from this folder: python3 make_river_overrides.py > river_overrides.json
"""
import json
import random

import river
from river import drift

assert river.__version__ == "0.26.1", river.__version__


def streams():
    rng = random.Random(20261129)
    out = []
    # 0/1 error streams whose rate changes once or twice.
    for i in range(4):
        n = 3000
        cut1, cut2 = rng.randint(500, 1500), rng.randint(1600, 2800)
        rates = [rng.uniform(0.02, 0.2), rng.uniform(0.2, 0.6), rng.uniform(0.02, 0.4)]
        values = [int(rng.random() < rates[0 if j < cut1 else 1 if j < cut2 else 2]) for j in range(n)]
        out.append((f"binary_{i}", values, True))
    # Real-valued streams: a shift in mean, then in variance.
    for i in range(3):
        n = 3000
        values = [round(rng.gauss(0.3 if j < 1200 else 0.6, 0.1 if j < 2000 else 0.3), 6) for j in range(n)]
        out.append((f"real_{i}", values, False))
    return out


CONFIGS = {
    "adwin": [
        {},
        {"delta": 0.05, "clock": 1},
        {"delta": 0.0001, "clock": 8, "max_buckets": 3, "min_window_length": 10, "grace_period": 50},
    ],
    "page_hinkley": [
        {},
        {"min_instances": 10, "delta": 0.01, "threshold": 10.0, "alpha": 0.999, "mode": "up"},
        {"threshold": 5.0, "mode": "down"},
    ],
    "ddm": [
        {},
        {"warm_start": 100, "warning_threshold": 1.5, "drift_threshold": 2.5},
    ],
}
MAKERS = {"adwin": drift.ADWIN, "page_hinkley": drift.PageHinkley, "ddm": drift.binary.DDM}


def run(kind, detector, values):
    """Detection indices; for ADWIN also its window width, total and variance (the sum of
    squared deviations, which a cut lowers by what the dropped bucket held) after every 100th
    update."""
    found, widths, totals, variances = [], [], [], []
    for i, x in enumerate(values):
        detector.update(x)
        if detector.drift_detected:
            found.append(i)
        if kind == "adwin" and i % 100 == 99:
            widths.append(int(detector.width))
            totals.append(detector.total)
            variances.append(detector.variance)
    figures = {"widths": widths, "totals": totals, "variances": variances}
    return {"detections": found, **(figures if kind == "adwin" else {})}


cases = []
for name, values, binary in streams():
    runs = []
    for kind, configs in CONFIGS.items():
        if kind == "ddm" and not binary:
            continue
        for parameters in configs:
            runs.append({"detector": kind, "parameters": parameters,
                         **run(kind, MAKERS[kind](**parameters), values)})
    cases.append({"name": name, "values": values, "runs": runs})

print(json.dumps({"library": f"river {river.__version__}", "cases": cases}, separators=(",", ":")))
