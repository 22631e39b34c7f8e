#!/usr/bin/env python3
"""Runs commands N times each; prints {"runs": [wall seconds], "cpu": [seconds], "maxrss": [bytes]}.

  bench/measure.py --runs 5 [--stdout FILE] -- CMD ARG…
  bench/measure.py --runs 5 --ids a,b -- CMD_A ARG… -- CMD_B ARG…    (paired: runs alternate)

Wall time is measured around fork/exec/wait; CPU time (user + system) and peak resident set
size are the child's own (os.wait4), so each run is measured alone. With several commands the
runs alternate A, B, A, B… (B first on odd rounds), so a machine getting busier or quieter
weighs on both alike, and one JSON line is printed per command with its "id". A failing run
aborts with its status.
"""
import argparse
import json
import os
import subprocess
import sys
import time


def run(cmd, stdout):
    with open(stdout, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out)
        _, status, usage = os.wait4(proc.pid, 0)
        t1 = time.perf_counter()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"measure.py: {' '.join(cmd)} exited with {code}")
    return t1 - t0, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--stdout", default=os.devnull)
    p.add_argument("--ids", default="", help="comma-separated ids of the commands (paired runs)")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmds, cur = [], None
    for x in a.cmd:
        if x == "--":
            cur = []
            cmds.append(cur)
        elif cur is None:
            cur = [x]
            cmds.append(cur)
        else:
            cur.append(x)
    ids = a.ids.split(",") if a.ids else []
    if len(cmds) > 1 and len(ids) != len(cmds):
        sys.exit("measure.py: give --ids, one per command")
    results = [{"runs": [], "cpu": [], "maxrss": []} for _ in cmds]
    for r in range(a.runs):
        order = range(len(cmds)) if r % 2 == 0 else reversed(range(len(cmds)))
        for k in order:
            wall, cpu, rss = run(cmds[k], a.stdout)
            results[k]["runs"].append(wall)
            results[k]["cpu"].append(cpu)
            results[k]["maxrss"].append(rss)
    for k, res in enumerate(results):
        if ids:
            res["id"] = ids[k]
        print(json.dumps(res))


if __name__ == "__main__":
    main()
