#!/usr/bin/env python3
"""The plain-Python lower bound: scipy's ks_2samp and wasserstein_distance per numerical column.

  bench/peer_scipy.py --reference R.csv --current C.csv [--runs 5]

Loads with pandas (not timed), then times the loop over the numerical columns (fNN) RUNS times.
It computes far less than the exporter (two statistics on the numerical columns only: no bins,
no categorical drift, quality, fairness or data quality). Prints {"runs", "maxrss",
"load_seconds", "version"}.
"""
import argparse
import json
import resource
import time

import pandas as pd
import scipy
from scipy.stats import ks_2samp, wasserstein_distance


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reference", required=True)
    p.add_argument("--current", required=True)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    t0 = time.perf_counter()
    ref = pd.read_csv(a.reference)
    cur = pd.read_csv(a.current)
    numerical = [c for c in ref.columns if c.startswith("f")]
    load = time.perf_counter() - t0
    runs = []
    for _ in range(a.runs):
        t = time.perf_counter()
        out = {}
        for c in numerical:
            r = ref[c].dropna().to_numpy()
            x = cur[c].dropna().to_numpy()
            out[c] = (ks_2samp(r, x).pvalue, wasserstein_distance(r, x))
        runs.append(time.perf_counter() - t)
    print(json.dumps({
        "runs": runs, "load_seconds": load, "version": scipy.__version__,
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
