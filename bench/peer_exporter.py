#!/usr/bin/env python3
"""A Python prometheus_client exporter serving the same series as a saved /metrics page.

  bench/peer_exporter.py --metrics FILE --port PORT

Parses FILE (model_exporter's exposition) with the client's own parser, registers one Gauge
per family name with its label names, in a fresh CollectorRegistry (no process collector),
sets every sample, and serves it with `start_http_server` (the client's threaded HTTP server),
as a Python exporter of these gauges would. Histogram and counter samples become gauges of the
sample's name (`…_bucket`, `…_total`), so the series and their values are the same. Prints
"ready N" with the number of series once serving.
"""
import argparse
import time

from prometheus_client import CollectorRegistry, Gauge, start_http_server
from prometheus_client.parser import text_string_to_metric_families


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--metrics", required=True)
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    registry = CollectorRegistry(auto_describe=False)
    gauges = {}
    series = 0
    with open(a.metrics) as f:
        text = f.read()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            names = tuple(sorted(s.labels))
            g = gauges.get(s.name)
            if g is None:
                g = Gauge(s.name, family.documentation or s.name, list(names), registry=registry)
                gauges[s.name] = g
            (g.labels(**s.labels) if names else g).set(s.value)
            series += 1
    start_http_server(a.port, addr="127.0.0.1", registry=registry)
    print(f"ready {series}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
