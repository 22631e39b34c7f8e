"""`model_exporter serve` started by a benchmark script on 127.0.0.1 (standard library only)."""
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Served:
    """`with Served(bin, strategies, extra_args) as s:` starts serve, waits for /-/ready and
    stops it (SIGTERM) at the end; `s.pid`, `s.post(body)`, `s.get(path)`."""

    def __init__(self, binary, strategies, extra=()):
        self.port = free_port()
        args = [binary, "serve", "--web.listen-address", f"127.0.0.1:{self.port}", "--log.level", "warn", *extra]
        for s in strategies:
            args += ["--strategy", s]
        self.proc = subprocess.Popen(args)
        self.pid = self.proc.pid

    def __enter__(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"the exporter exited with {self.proc.returncode}")
            try:
                if self.get("/-/ready", timeout=1):
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.__exit__()
        sys.exit("the exporter did not become ready")

    def __exit__(self, *_):
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def post(self, body):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1/events", data=body,
                                     headers={"Content-Type": "application/x-ndjson"})
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()

    def get(self, path="/metrics", timeout=120):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as r:
            return r.read().decode()
