#!/usr/bin/env python3
"""Alertmanager's webhook receiver for the end-to-end test: POST /<team> records a notification.

usage: webhook.py [--port 5001]

As a script it prints one line per notification (the generated alertmanager.yml sends team T
to http://127.0.0.1:5001/T by default), e.g.

  09:04:30 /platform status=firing receiver=platform E2eLatencyP99Critical[critical]=firing

scenario.py uses the Webhook class on a free port. Python's standard library only.
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Webhook:
    """Records every notification; `logpath` gets a summary line each, `rawpath` the JSON."""

    def __init__(self, logpath=None, rawpath=None, port=0, echo=False):
        self.lock = threading.Lock()
        self.notes = []
        self.echo = echo
        self.logfile = open(logpath, "a") if logpath else None
        self.rawfile = open(rawpath, "a") if rawpath else None
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {"unparsed": body.decode(errors="replace")}
                hook.record(self.path.strip("/"), payload)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, fmt, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook", daemon=True)
        self.thread.start()

    def url(self, team):
        return f"http://127.0.0.1:{self.port}/{team}"

    def record(self, team, payload):
        note = {"time": time.time(), "team": team, "payload": payload}
        alerts = payload.get("alerts", []) if isinstance(payload, dict) else []
        summary = ", ".join(f"{a.get('labels', {}).get('alertname')}[{a.get('labels', {}).get('severity')}]={a.get('status')}" for a in alerts)
        line = f"{time.strftime('%H:%M:%S')} /{team} status={payload.get('status')} receiver={payload.get('receiver')} {summary}"
        with self.lock:
            self.notes.append(note)
            if self.logfile:
                self.logfile.write(line + "\n")
                self.logfile.flush()
            if self.rawfile:
                self.rawfile.write(json.dumps(note, sort_keys=True) + "\n")
                self.rawfile.flush()
            if self.echo:
                print(line, flush=True)

    def alerts(self, since=0.0):
        """(team, notification status, receiver, alert) for every alert of every notification."""
        with self.lock:
            notes = [n for n in self.notes if n["time"] >= since]
        out = []
        for n in notes:
            p = n["payload"]
            for a in p.get("alerts", []) if isinstance(p, dict) else []:
                out.append((n["team"], p.get("status"), p.get("receiver"), a))
        return out

    def find(self, alertname, status, since=0.0):
        return [(team, st, rcv, a) for team, st, rcv, a in self.alerts(since)
                if a.get("labels", {}).get("alertname") == alertname and a.get("status") == status and st == status]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        for f in (self.logfile, self.rawfile):
            if f:
                f.close()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=5001)
    args = ap.parse_args(argv)
    hook = Webhook(port=args.port, echo=True)
    print(f"webhook receiver on http://127.0.0.1:{hook.port}/<team>; Ctrl-C stops it", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        hook.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
