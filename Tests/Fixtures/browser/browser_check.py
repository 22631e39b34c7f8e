#!/usr/bin/env python3
"""Loads a page in headless Chromium and reports what a person's browser would see.

  browser_check.py URL [--screenshot PNG] [--width 1280] [--max-height 4000] [--loads N]

Drives Chromium over the DevTools protocol (a tiny websocket client, standard library only)
and prints one JSON object:

  errors    uncaught exceptions, console.error/assert calls and browser log errors
  requests  every URL the page fetched besides itself (data: URLs excepted)
  charts    per <svg data-chart>, how many rect.bar and .mark elements it holds
  tiles     per summary tile ([data-tile]): its card (index of the [data-model] holding it, -1
            outside one), title, status, headline, rows and height drawn
  loads     how many times the page loaded (it may reload itself: --loads waits for N)
  title     the document's title

Exits 0 when it could load the page (the caller judges the report), 2 when it could not.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, client masking."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError("websocket handshake refused: " + head.decode(errors="replace"))

    def send(self, text):
        data = text.encode()
        header = bytearray([0x81])
        n = len(data)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header.append(0x80 | 126)
            header += struct.pack(">H", n)
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise RuntimeError("websocket closed")
            buf += chunk
        return buf

    def receive(self, timeout):
        self.sock.settimeout(timeout)
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(n)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise RuntimeError("websocket closed by the browser")
            if opcode in (0, 1, 2):
                message += payload
                if b0 & 0x80:
                    return message.decode()


class DevTools:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        deadline = time.time() + 60
        while time.time() < deadline:
            m = json.loads(self.ws.receive(60))
            if m.get("id") == mine:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)
        raise RuntimeError(f"{method}: no answer")

    def wait(self, until, timeout):
        """Collects events until `until(events)` holds or `timeout` seconds pass."""
        deadline = time.time() + timeout
        while not until(self.events) and time.time() < deadline:
            try:
                self.events.append(json.loads(self.ws.receive(max(0.05, deadline - time.time()))))
            except socket.timeout:
                break


def launch(profile):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print(json.dumps({"fatal": "chromium not found on PATH: run scripts/install-deps (Debian package chromium)"}))
        sys.exit(2)
    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(port_file):
            lines = open(port_file).read().split()
            if len(lines) >= 1 and lines[0].isdigit():
                return proc, int(lines[0])
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    print(json.dumps({"fatal": "chromium did not open its DevTools port"}))
    sys.exit(2)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url")
    p.add_argument("--screenshot")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--max-height", type=int, default=4000)
    p.add_argument("--loads", type=int, default=1, help="wait until the page has loaded this many times")
    p.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()

    profile = tempfile.mkdtemp(prefix="browser-check-")
    proc, port = launch(profile)
    try:
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30))
        page = next(t for t in targets if t.get("type") == "page")
        cdp = DevTools(WebSocket(page["webSocketDebuggerUrl"]))
        for domain in ("Runtime", "Log", "Page", "Network"):
            cdp.call(f"{domain}.enable")
        cdp.call("Emulation.setDeviceMetricsOverride", width=a.width, height=900, deviceScaleFactor=1, mobile=False)
        cdp.call("Page.navigate", url=a.url)

        def loads(events):
            return sum(1 for e in events if e.get("method") == "Page.loadEventFired")

        cdp.wait(lambda ev: loads(ev) >= a.loads, a.timeout)
        time.sleep(0.3)  # late console messages
        cdp.wait(lambda ev: False, 0.2)

        probe = """JSON.stringify(Array.from(document.querySelectorAll('svg[data-chart]')).map(s => ({
            chart: s.getAttribute('data-chart'),
            bars: s.querySelectorAll('rect.bar').length,
            marks: s.querySelectorAll('.mark').length,
            width: s.getBoundingClientRect().width})))"""
        charts = json.loads(cdp.call("Runtime.evaluate", expression=probe, returnByValue=True)["result"]["value"])
        tile_probe = """JSON.stringify(Array.from(document.querySelectorAll('[data-tile]')).map(t => ({
            card: Array.from(document.querySelectorAll('[data-model]')).indexOf(t.closest('[data-model]')),
            tile: t.getAttribute('data-tile'),
            status: Array.from(t.classList).filter(c => c !== 'tile').join(' '),
            headline: (t.querySelector('.big') || {}).textContent || '',
            rows: t.querySelectorAll('li').length,
            height: t.getBoundingClientRect().height})))"""
        tiles = json.loads(cdp.call("Runtime.evaluate", expression=tile_probe, returnByValue=True)["result"]["value"])
        title = cdp.call("Runtime.evaluate", expression="document.title", returnByValue=True)["result"].get("value")

        errors, requests = [], []
        for e in cdp.events:
            m, params = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                d = params.get("exceptionDetails", {})
                errors.append("exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
            elif m == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append("console." + params["type"] + ": " + " ".join(str(x.get("value", x.get("description", ""))) for x in params.get("args", [])))
            elif m == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                errors.append("log: " + params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
            elif m == "Network.requestWillBeSent":
                url = params.get("request", {}).get("url", "")
                if url.split("#")[0] != a.url.split("#")[0] and not url.startswith("data:"):
                    requests.append(url)

        if a.screenshot:
            metrics = cdp.call("Page.getLayoutMetrics")
            height = min(a.max_height, int(metrics.get("cssContentSize", metrics.get("contentSize"))["height"]))
            cdp.call("Emulation.setDeviceMetricsOverride", width=a.width, height=height, deviceScaleFactor=1, mobile=False)
            shot = cdp.call("Page.captureScreenshot", format="png")
            with open(a.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))

        print(json.dumps({"title": title, "loads": loads(cdp.events), "errors": errors, "requests": requests, "charts": charts, "tiles": tiles}))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
