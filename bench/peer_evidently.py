#!/usr/bin/env python3
"""Evidently's Report([DataDriftPreset()]) on the benchmark data, already loaded in pandas.

  bench/peer_evidently.py --reference R.csv --current C.csv [--rows N] [--runs 5]

Loads both CSVs with pandas (not timed), keeps the feature columns (fNN numerical, cN
categorical, declared as such), then times `report.run(current, reference)` RUNS times in one
process. Prints {"runs": [seconds], "maxrss": bytes, "load_seconds": s, "version": v}; maxrss is
the process's peak (loading and every run).
"""
import argparse
import json
import resource
import time

import pandas as pd


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reference", required=True)
    p.add_argument("--current", required=True)
    p.add_argument("--rows", type=int, default=0, help="use the first N current rows (0: all)")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()

    import evidently
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    t0 = time.perf_counter()
    ref = pd.read_csv(a.reference)
    cur = pd.read_csv(a.current, nrows=a.rows or None)
    numerical = [c for c in ref.columns if c.startswith("f")]
    categorical = [c for c in ref.columns if c[0] == "c" and c[1:].isdigit()]
    for c in categorical:
        ref[c] = ref[c].astype("object")
        cur[c] = cur[c].astype("object")
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    ref_ds = Dataset.from_pandas(ref[numerical + categorical], data_definition=definition)
    cur_ds = Dataset.from_pandas(cur[numerical + categorical], data_definition=definition)
    load = time.perf_counter() - t0

    runs = []
    for _ in range(a.runs):
        t = time.perf_counter()
        snapshot = Report([DataDriftPreset()]).run(cur_ds, ref_ds)
        runs.append(time.perf_counter() - t)
    assert snapshot is not None
    print(json.dumps({
        "runs": runs, "load_seconds": load, "version": evidently.__version__,
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "current_rows": len(cur), "columns": len(numerical) + len(categorical),
    }))


if __name__ == "__main__":
    main()
