#!/usr/bin/env python3
"""Runs a command N times; prints {"runs": [wall seconds], "maxrss": [bytes]} as JSON.

  bench/measure.py --runs 5 [--stdout FILE] -- CMD ARG…

Wall time is measured around fork/exec/wait; peak resident set size is the child's
ru_maxrss (os.wait4), so each run is measured alone. A failing run aborts with its status.
"""
import argparse
import json
import os
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--stdout", default=os.devnull)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    runs, rss = [], []
    for _ in range(a.runs):
        with open(a.stdout, "wb") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out)
            _, status, usage = os.wait4(proc.pid, 0)
            t1 = time.perf_counter()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"measure.py: {' '.join(cmd)} exited with {code}")
        runs.append(t1 - t0)
        rss.append(usage.ru_maxrss * 1024)
    print(json.dumps({"runs": runs, "maxrss": rss}))


if __name__ == "__main__":
    main()
