#!/usr/bin/env python3
"""A stand-in for the credit-risk model server, so the example has a process to watch.

usage: model_server.py [--pid-file model-server.pid] [--busy 0.2] [--memory-mib 96]

Writes its pid to --pid-file (which the example strategy's `serving:` names), holds
--memory-mib of memory, keeps one core --busy of the time with "inference" and appends a
line to a scratch file now and then, until SIGTERM or SIGINT; then removes the pid file.
Python's standard library only.
"""
import argparse
import os
import signal
import sys
import tempfile
import time


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pid-file", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "model-server.pid"))
    ap.add_argument("--busy", type=float, default=0.2, help="share of one core spent computing")
    ap.add_argument("--memory-mib", type=int, default=96)
    args = ap.parse_args(argv)

    running = [True]

    def stop(_signum, _frame):
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(args.pid_file + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.replace(args.pid_file + ".tmp", args.pid_file)

    weights = bytearray(args.memory_mib << 20)
    for i in range(0, len(weights), 4096):
        weights[i] = 1
    scratch = tempfile.TemporaryFile()
    tick = 0
    try:
        while running[0]:
            start = time.monotonic()
            x = 0
            while time.monotonic() - start < args.busy * 0.1:
                x += 1
            tick += 1
            if tick % 10 == 0:
                scratch.write(os.urandom(64 << 10))
                scratch.flush()
                os.fsync(scratch.fileno())
            time.sleep(max(0.0, 0.1 - (time.monotonic() - start)))
    finally:
        try:
            os.remove(args.pid_file)
        except FileNotFoundError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
