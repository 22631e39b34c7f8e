#!/usr/bin/env python3
"""Turns bench/run's results.jsonl into the table (markdown), and optionally BENCHMARKS.md.

  bench/report.py RESULTS.jsonl [--command "bench/run --write"] [--write BENCHMARKS.md]

Every figure is the median of its runs with the min–max; ratios are of medians measured in the
same invocation.
"""
import argparse
import json
import os
import statistics
import sys

MB = 1024 * 1024


def load(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line:
            d = json.loads(line)
            out.setdefault(d["id"], []).append(d)
    return out


def med(xs):
    return statistics.median(xs) if xs else None


class Figure:
    def __init__(self, values):
        self.values = [v for v in values if v is not None]

    @property
    def median(self):
        return med(self.values)

    def fmt(self, f):
        if not self.values:
            return "—", "—"
        lo, hi = min(self.values), max(self.values)
        return f(self.median), (f"{f(lo)}–{f(hi)}" if len(self.values) > 1 else "(1 run)")


def seconds(v):
    if v >= 1:
        return f"{v:.2f} s"
    if v >= 1e-3:
        return f"{v * 1e3:.1f} ms" if v < 0.1 else f"{v * 1e3:.0f} ms"
    return f"{v * 1e6:.1f} µs"


def rate(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if v >= 1e3:
        return f"{v / 1e3:.0f} k" if v >= 1e4 else f"{v / 1e3:.1f} k"
    return f"{v:.0f}" if v >= 10 else f"{v:.1f}"


def mb(v):
    return f"{v / MB:.0f} MiB"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rx(r):
    return "—" if r is None else (f"{r:.0f}×" if r >= 10 else f"{r:.1f}×")


def verdict(ok):
    return "—" if ok is None else ("met" if ok else "**missed**")


def build(results, command):
    R = results
    meta = dict(R.get("machine", [{}])[0])
    if R.get("versions"):
        meta["versions"] = {k: v for k, v in R["versions"][0].items() if k != "id"}
    if R.get("duration"):
        meta["duration"] = R["duration"][0]["runs"][0]
    quick = bool(meta.get("quick"))
    rows = []  # (section, figure, median, range, compared with, ratio, target, verdict)

    def runs(id_, key="runs"):
        vals = []
        for d in R.get(id_, []):
            v = d.get(key)
            vals += v if isinstance(v, list) else [v]
        return Figure(vals)

    # 1. Batch
    b = runs("batch_exporter")
    bcpu = runs("batch_exporter", "cpu")
    brss = runs("batch_exporter", "maxrss")
    pol = runs("batch_polars")
    ev = runs("batch_evidently")
    evrss = runs("batch_evidently", "maxrss")
    sp = runs("batch_scipy")
    size = R.get("batch_exporter", [{}])[0].get("bytes", 0)
    cur = meta.get("current_rows", 0)
    ref = meta.get("reference_rows", 0)
    m, r = b.fmt(seconds)
    what = f"`evaluate`, {ref:,} reference vs {cur:,} current rows × 25 features, every metric: a fresh process reading the strategy and both CSVs ({size / 1e6:.1f} MB current), rendering the exposition; wall time (CPU {bcpu.fmt(seconds)[0]})"
    if pol.values:
        phases = R.get("batch_polars_phases", [{}])[0]
        rp = ratio(pol.median, b.median)
        rows.append(("1. Batch", what, m, r,
                     f"a polars + numpy + scipy script (bench/peer_polars.py: multi-threaded `read_csv`, the same features and methods, no text rendered), a fresh process, runs alternated with ours: {pol.fmt(seconds)[0]} ({pol.fmt(seconds)[1]}), CPU {runs('batch_polars', 'cpu').fmt(seconds)[0]} (CPU ratio {rx(ratio(runs('batch_polars', 'cpu').median, bcpu.median))}); of one run: imports {seconds(phases.get('import_seconds', 0))}, reading {seconds(phases.get('read_seconds', 0))}, statistics {seconds(phases.get('compute_seconds', 0))}",
                     rx(rp), "≥ 10×", verdict(None if rp is None else rp >= 10)))
    else:
        rows.append(("1. Batch", what, m, r, "—", "—", "—", "—"))
    lim = {d.get("figure"): d for d in R.get("limits", [])}
    if lim:
        rd = Figure(lim["limit_read"]["runs"])
        one = Figure(lim["limit_parse_one_core"]["runs"])
        allc = Figure(lim["limit_parse_all_cores"]["runs"])
        n = lim["limit_read"].get("bytes", 0)
        cores = lim["limit_read"].get("cores", "?")
        rows.append(("", f"the machine's limits on the same file: its bytes read once from the page cache (`Files.read`, {n / 1e6:.1f} MB)",
                     rd.fmt(seconds)[0], rd.fmt(seconds)[1], f"{n / rd.median / 1e9:.1f} GB/s" if rd.median else "—", "—", "—", "—"))
        rl = ratio(b.median, one.median)
        onecpu = Figure(lim["limit_parse_one_core"].get("cpu", []))
        cpu_note = f"; CPU time, `evaluate` / this pass: {rx(ratio(bcpu.median, onecpu.median))} ({seconds(bcpu.median)} / {seconds(onecpu.median)})" if onecpu.values and bcpu.values else ""
        rows.append(("", f"a minimal pass over those bytes: split every field at commas and line breaks, parse every number ({lim['limit_read'].get('numbers', 0):,}) with the product's parser; one core (all {cores} cores: {allc.fmt(seconds)[0]})",
                     one.fmt(seconds)[0], one.fmt(seconds)[1], f"wall time, `evaluate` (above) / this pass: {rx(rl)}; / the pass on all cores: {rx(ratio(b.median, allc.median))}{cpu_note}",
                     rx(rl), "`evaluate` ≤ 2× the one-core pass", verdict(None if rl is None else rl <= 2)))
    if ev.values:
        rv = ratio(ev.median, b.median)
        rows.append(("", "same `evaluate` run", m, r,
                     f"Evidently `Report([DataDriftPreset()]).run(current, reference)` on the 25 feature columns already in pandas (loading not timed; drift only, and it builds its report's widgets): {ev.fmt(seconds)[0]} ({ev.fmt(seconds)[1]})",
                     rx(rv), "≥ 20×", verdict(None if rv is None else rv >= 20)))
    if sp.values:
        rs = ratio(sp.median, b.median)
        rows.append(("", "same `evaluate` run", m, r, f"scipy `ks_2samp` + `wasserstein_distance` per numerical column, columns already in pandas (loading not timed): {sp.fmt(seconds)[0]} ({sp.fmt(seconds)[1]})",
                     rx(rs), "—", "—"))
    if evrss.values:
        m2, r2 = brss.fmt(mb)
        rr = ratio(evrss.median, brss.median)
        rows.append(("", "`evaluate` peak RSS", m2, r2, f"Evidently process peak RSS: {evrss.fmt(mb)[0]}", rx(rr), "≥ 5× smaller",
                     verdict(None if rr is None else rr >= 5)))
    bt = runs("backtest")
    if bt.values:
        n = R["backtest"][0].get("rows", 0)
        rate_bt = Figure([n / v for v in bt.values])
        mm, rr2 = rate_bt.fmt(rate)
        what_bt = f"`backtest`: {n:,} rows replayed in order through a 10,000-event window, every statistic every 10,000 rows (a fresh process, both CSVs read; the benchmark's strategy has no concept-drift detectors or alert rules, so rows go in runs of 1,024 and no signals are computed): rows/s (wall {bt.fmt(seconds)[0]})"
        compared = []
        if lim:
            one = Figure(lim["limit_parse_one_core"]["runs"])
            rb = ratio(bt.median, one.median)
            compared.append((f"wall time, `backtest` / the one-core minimal pass above ({one.fmt(seconds)[0]}): {rx(rb)}", rx(rb),
                             "`backtest` ≤ 2× the one-core pass", verdict(None if rb is None else rb <= 2)))
        if pol.values:
            rp = ratio(pol.median, bt.median)
            compared.append((f"the polars + numpy + scipy script above ({pol.fmt(seconds)[0]}), which computes the statistics once and replays nothing (no window entries)",
                             rx(rp), "≥ 10×", verdict(None if rp is None else rp >= 10)))
        if not compared:
            compared.append(("—", "—", "—", "—"))
        for k, (c, x, t, v) in enumerate(compared):
            rows.append(("", what_bt if k == 0 else "same `backtest` run", mm + " rows/s", rr2, c, x, t, v))

    # 2. Window recomputation
    for w, peer in (("10000", "window_evidently_10000"), ("100000", "batch_evidently")):
        f = Figure([x for d in R.get(f"recompute_{w}", []) if d.get("figure") == "recompute" for x in d["runs"]])
        if not f.values:
            continue
        e = runs(peer)
        m, r = f.fmt(seconds)
        rv = ratio(e.median, f.median)
        target = "< 20 ms and ≥ 100×" if w == "10000" else "—"
        ok = None
        if w == "10000":
            ok = f.median < 0.020 and (rv is None or rv >= 100)
        series = R[f"recompute_{w}"][0].get("series")
        rows.append(("2. Window recomputation" if w == "10000" else "",
                     f"one recomputation of every statistic (what a scrape after a change needed before statistics moved off the scrape path), full window of {int(w):,} events × 25 features ({series} series)",
                     m, r, f"Evidently on the same window: {e.fmt(seconds)[0]}" if e.values else "—", rx(rv), target, verdict(ok)))
    # The harness emits recompute_unchanged in the same stream as recompute: split by figure.
    un = Figure([x for d in R.get("recompute_10000", []) if d.get("figure") == "recompute_unchanged" for x in d["runs"]])
    ch = Figure([x for d in R.get("recompute_10000", []) if d.get("figure") == "recompute" for x in d["runs"]])
    if un.values:
        m, r = un.fmt(seconds)
        rows.append(("", "scrape of an unchanged window (10,000 events): cached, nothing recomputed", m, r,
                     f"a recomputing scrape: {ch.fmt(seconds)[0]}", rx(ratio(ch.median, un.median)), "nothing recomputed", verdict(True)))

    # 3. Ingest
    def http_rate(id_):
        return Figure([d["requests"] * 1000 / (d["duration_us"] / 1e6) for d in R.get(id_, []) if d.get("non2xx", 0) == 0 and d.get("errors", 0) == 0])

    def scrape_times(id_):
        xs = []
        for d in R.get(id_, []):
            p = d.get("scrapes")
            if p and os.path.exists(p):
                xs += [float(x) for x in open(p).read().split()]
        return xs

    h = http_rate("ingest_http_10000")
    failed = [d for d in R.get("ingest_http_10000", []) if d.get("non2xx", 0) or d.get("errors", 0)]
    m, r = h.fmt(rate)
    st = scrape_times("ingest_http_10000")
    note = f"scrapes meanwhile (1/s): median {seconds(med(st))}, max {seconds(max(st))}" if st else ""
    if failed:
        note += f"; {len(failed)} run(s) with errors left out"
    rows.append(("3. Ingest", "events/s over HTTP: NDJSON, 1,000 events per POST, 4 connections, window 10,000, a scrape every second",
                 m + " events/s", r, note, "—", "≥ 200 k/s", verdict(None if h.median is None else h.median >= 200_000)))
    off, on = http_rate("ingest_http_wal_off"), http_rate("ingest_http_wal_on")
    if on.values and off.values:
        m, r = on.fmt(rate)
        share = ratio(on.median, off.median)
        rows.append(("", "events/s over HTTP with the write-ahead log (`--storage.path`: each request fdatasync'd before its answer, group commit), same load without the scrape, runs alternated with the log off",
                     m + " events/s", r, f"log off: {off.fmt(rate)[0]} events/s ({off.fmt(rate)[1]})",
                     f"{share:.0%} of off", "≥ 75 % of off", verdict(share >= 0.75)))
    f = Figure([x for d in R.get("ingest_inprocess_10000", []) for x in d["runs"]])
    m, r = f.fmt(rate)
    rows.append(("", "events/s through the window update in-process (decoded events, `ModelMonitor.ingest`, one core), window 10,000",
                 m + " events/s", r, "—", "—", "≥ 1 M/s", verdict(None if f.median is None else f.median >= 1_000_000)))
    dt = R.get("ingest_detectors_overhead", [])
    if dt:
        d = dt[0]
        # The figure is the median of every pair's overhead (a block of each side, run a few
        # milliseconds apart); the range is that of the runs' own medians.
        pairs, over = Figure(d.get("cpu_pairs", d.get("cpu_runs", []))), Figure(d.get("cpu_runs", []))
        without, with_ = Figure(d.get("cpu_without", [])), Figure(d.get("cpu_with", []))
        pct = lambda v: f"{v:+.1f} %"
        m, r = pct(pairs.median) if pairs.values else "—", over.fmt(pct)[1]
        block = f"{int(d['block_events']):,}-event blocks" if "block_events" in d else "runs"
        rows.append(("", f"what the concept-drift detectors add to that update, window {d.get('window', 10_000):,}: ADWIN and Page-Hinkley on the {' and '.join(str(d.get('streams', '')).split(','))} streams and DDM on the error stream, against the same monitor without them, {block} alternated, per second of thread CPU time: median of {len(pairs.values)} pairs (range: the runs' medians)",
                     m, r, f"without detectors {without.fmt(rate)[0]} events/s, with {with_.fmt(rate)[0]} events/s", "—", "≤ +10 %",
                     verdict(None if pairs.median is None else pairs.median <= 10)))
    la = runs("labels_attach")
    if la.values:
        m, r = la.fmt(rate)
        rows.append(("", "delayed labels attached in-process (`ModelMonitor.attach`, batches of 1,000, each for an event of a full window of 10,000)",
                     m + " labels/s", r, "—", "—", "—", "—"))

    # 4. Scrape
    for mcount in ("3", "25"):
        ex = R.get(f"scrape_exporter_m{mcount}")
        if not ex:
            continue
        series = ex[0].get("series")
        rps = Figure([d["requests"] / (d["duration_us"] / 1e6) for d in ex])
        p50 = Figure([d["p50_us"] / 1e6 for d in ex])
        p99 = Figure([d["p99_us"] / 1e6 for d in ex])
        py = R.get(f"scrape_python_m{mcount}", [])
        prps = Figure([d["requests"] / (d["duration_us"] / 1e6) for d in py])
        pp50 = Figure([d["p50_us"] / 1e6 for d in py])
        m, r = rps.fmt(rate)
        rv = ratio(rps.median, prps.median)
        big = mcount == "25"
        rows.append(("4. Scrape" if mcount == "3" else "",
                     f"`GET /metrics` req/s, {series:,} series ({mcount} models), wrk 2 threads × 4 connections; p50 {p50.fmt(seconds)[0]}, p99 {p99.fmt(seconds)[0]}",
                     m + " req/s", r,
                     f"Python `prometheus_client` serving the same {py[0]['series'] if py else '?'} series: {prps.fmt(rate)[0]} req/s, p50 {pp50.fmt(seconds)[0] if pp50.median else '— (too few answers)'}" if py else "—",
                     rx(rv), "≥ 50×" if big else "—", verdict(None if not big or rv is None else rv >= 50)))
    ing = R.get("scrape_exporter_m3_ingesting")
    if ing:
        p99 = Figure([d["p99_us"] / 1e6 for d in ing])
        p50 = Figure([d["p50_us"] / 1e6 for d in ing])
        bg = Figure([d["requests"] * 1000 / (d["duration_us"] / 1e6) for d in R.get("scrape_m3_background_ingest", [])])
        m, r = p99.fmt(seconds)
        rows.append(("", f"`GET /metrics` p99 latency, {ing[0]['series']:,} series, 1 connection, while ingesting {bg.fmt(rate)[0]} events/s (p50 {p50.fmt(seconds)[0]})",
                     m, r, "—", "—", "p99 < 10 ms", verdict(None if p99.median is None else p99.median < 0.010)))

    ch = R.get("scrape_exporter_m3_changed")
    if ch:
        t = Figure([x for d in ch for x in d["runs"]])
        xs = sorted(t.values)
        p99 = xs[min(len(xs) - 1, int(len(xs) * 0.99))]
        rows.append(("", f"`GET /metrics` right after a POST of 1,000 events changed the window (one after the other, curl, {len(xs)} times; the rows above serve unchanged windows from cached bytes): p99 {seconds(p99)}",
                     t.fmt(seconds)[0], t.fmt(seconds)[1], "—", "—", "—", "—"))
    rows += scrape_under_ingest_rows(R)

    # 5. Memory
    for w in ("10000", "100000"):
        ds = R.get(f"memory_{w}")
        if not ds:
            continue
        rss = Figure([d["runs"][0] for d in ds])
        raw = ds[0]["raw_bytes"]
        limit = 2 * raw + 30e6
        m, r = rss.fmt(mb)
        rows.append(("5. Memory" if w == "10000" else "",
                     f"resident set of the serving exporter, {ds[0]['features']} features, window of {int(w):,} events filled over HTTP, after a scrape (at start: {mb(ds[0]['baseline_rss'])}){memory_breakdown(ds[0])}",
                     m, r, f"raw window data {mb(raw)} (every value as 8 bytes); limit 2 × raw + 30 MB = {mb(limit)}",
                     rx(ratio(rss.median, raw)) + " raw", "≤ 2 × raw + 30 MB", verdict(rss.median <= limit)))

    for w in ("10000", "100000"):
        ds = R.get(f"memory_inprocess_{w}")
        if not ds:
            continue
        grown = Figure([d["runs"][0] - d["baseline_rss"] for d in ds])
        raw = ds[0]["raw_bytes"]
        m, r = grown.fmt(mb)
        rows.append(("", f"the same model in-process (bench harness): resident set added by the monitor and its full window of {int(w):,} events, after a scrape",
                     m, r, f"raw window data {mb(raw)}", rx(ratio(grown.median, raw)) + " raw", "≤ 2 × raw", verdict(grown.median <= 2 * raw)))

    # 6. Growth
    growth = []
    for w in sorted({int(k.split("_")[-1]) for k in R if k.startswith("recompute_")}):
        rc = Figure([x for d in R.get(f"recompute_{w}", []) if d.get("figure") == "recompute" for x in d["runs"]])
        ip = Figure([x for d in R.get(f"ingest_inprocess_{w}", []) for x in d["runs"]])
        hp = http_rate(f"ingest_http_{w}")
        st = scrape_times(f"ingest_http_{w}")
        growth.append((w, rc.fmt(seconds), ip.fmt(rate), hp.fmt(rate), f"{seconds(med(st))} / {seconds(max(st))}" if st else "—"))
    scaling = R.get("scaling", [])
    st = runs("startup")
    startup = (R["startup"][0], st) if st.values else None
    return meta, rows, growth, quick, scaling, startup


def scaling_tables(scaling, startup):
    out = []
    base = {"features": 25, "models": 1, "bins": 10, "reference": 10000}
    if any(sum(d[k] != v for k, v in base.items()) <= 1 for d in scaling):
        out.append("")
        out.append("Scaling: one recomputation of every statistic of every model after one more event each "
                   "(models concurrently, as a scrape recomputes changed models), and the exposition of them all; synthetic "
                   "data (bench harness `scaling`): 25 features (one in five categorical) with every drift method, 10 bins, "
                   "1 model, a reference of 10,000 rows and a full window of 10,000 events unless the row says otherwise. "
                   "Median (min–max).")
        out.append("")
        out.append("| what grows | features | models | bins | reference rows | recomputation | exposition | series |")
        out.append("|---|---|---|---|---|---|---|---|")
        seen = set()
        for dim in ("features", "models", "bins", "reference"):
            for d in sorted(scaling, key=lambda d: d[dim]):
                others = all(d[k] == v for k, v in base.items() if k != dim)
                key = (d["features"], d["models"], d["bins"], d["reference"])
                if not others or (dim, key) in seen:
                    continue
                seen.add((dim, key))
                f = Figure(d["runs"])
                out.append(f"| {dim} | {d['features']:,} | {d['models']:,} | {d['bins']} | {d['reference']:,} | "
                           f"{f.fmt(seconds)[0]} ({f.fmt(seconds)[1].strip('()')}) | {d['bytes'] / 1e3:,.0f} kB | {d['series']:,} |")
    if startup:
        d, f = startup
        out.append("")
        out.append(f"Startup: `serve` from exec to `/-/ready` answering 200 with a reference of {d['reference']:,} rows "
                   f"× 25 features ({d['bytes'] / 1e6:.0f} MB CSV): {f.fmt(seconds)[0]} ({f.fmt(seconds)[1].strip('()')}).")
    return out


FLOORS = [
    # (what, value, test), on CPU time: a loaded machine stretches wall time, hardly the CPU time
    # of the same work. Loose enough for a noisy 2-core machine, tight enough that a several-fold
    # regression fails.
    ("recomputation, full window of 10,000 events × 25 features, under 50 ms of CPU",
     lambda R: med([x for d in R.get("recompute_10000", []) if d.get("figure") == "recompute" for x in d.get("cpu", [])]), lambda v: v < 0.050),
    ("in-process window updates, window 10,000, over 300 k events per CPU second",
     lambda R: med([x for d in R.get("ingest_inprocess_10000", []) for x in d.get("cpu", [])]), lambda v: v > 300_000),
    ("`evaluate` of 10,000 rows × 25 features, under 0.35 s of CPU",
     lambda R: med([x for d in R.get("batch_exporter", []) for x in d.get("cpu", [])]), lambda v: v < 0.35),
    ("delayed labels attached in-process, over 300 k labels per CPU second",
     lambda R: med([x for d in R.get("labels_attach", []) for x in d.get("cpu", [])]), lambda v: v > 300_000),
]


def check(R):
    failed = []
    for what, value, ok in FLOORS:
        v = value(R)
        if v is None:
            failed.append(f"{what}: not measured")
        elif not ok(v):
            failed.append(f"{what}: measured {v:.4g}")
        else:
            print(f"floor met: {what} (measured {v:.4g})")
    return failed


def scrape_under_ingest_rows(R):
    """Scrape p99 idle and while two connections post 1,000-event bodies back to back, in the
    same run (bench/scrape_under_ingest.py), per number of series."""
    rows = []
    for key in sorted((k for k in R if k.startswith("scrape_under_ingest_m")), key=lambda k: int(k.rsplit("m", 1)[1])):
        ds = R[key]
        ratios = Figure([d["ratio"] for d in ds])
        idle = Figure([d["idle_p99_us"] / 1e6 for d in ds])
        busy = Figure([d["ingesting_p99_us"] / 1e6 for d in ds])
        ingest = Figure([d["ingest_events_per_second"] for d in ds])
        age = max((d.get("statistics_age_seconds") or 0) for d in ds)
        compute = Figure([d.get("statistics_compute_seconds") or 0 for d in ds])
        floor_idle = Figure([d["floor_idle_p99_us"] / 1e6 for d in ds if "floor_idle_p99_us" in d])
        floor_busy = Figure([d["floor_ingesting_p99_us"] / 1e6 for d in ds if "floor_ingesting_p99_us" in d])
        m, r = busy.fmt(seconds)
        met = None if ratios.median is None else ratios.median <= 3
        idle50 = Figure([d["idle_p50_us"] / 1e6 for d in ds])
        busy50 = Figure([d["ingesting_p50_us"] / 1e6 for d in ds])
        why = ""
        if met is False and floor_busy.median is not None and idle.median is not None and floor_busy.median > 3 * idle.median:
            why = (f" (under the same ingest, a request that computes nothing waits {seconds(floor_busy.median)} at p99, "
                   f"more than 3× this idle p99: the floor of this machine, below)")
        elif met is False and idle50.median and busy50.median:
            why = (f" (the median grows too, {seconds(idle50.median)} → {seconds(busy50.median)}: a scrape's processor time is shared "
                   f"with the ingest threads, at the same priority, on the same cores)")
        rows.append(("", f"`GET /metrics` p99, {ds[0]['series']:,} series, 1 connection, while 2 connections post 1,000-event bodies back to back ({ingest.fmt(rate)[0]} events/s); "
                         f"scrapes serve the statistics the worker computed (`--compute.max-delay 1s`; last computation {compute.fmt(seconds)[0]}, age at the end ≤ {age:.2f} s)",
                     m, r, f"idle p99 in the same run: {idle.fmt(seconds)[0]}", rx(ratios.median), "≤ 3× idle", verdict(met) + why))
        if floor_busy.values:
            fm, fr = floor_busy.fmt(seconds)
            rows.append(("", f"`GET /-/healthy` p99 in the same runs, after the scrapes above, while the same ingest goes on: eight bytes, nothing computed or "
                             f"rendered, so the wait of any request while the load generators (wrk) and the exporter's ingest share the machine's cores "
                             f"(idle p99 in the same run: {floor_idle.fmt(seconds)[0]})",
                         fm, fr, f"the scrape above under ingest: {m}", rx(ratio(busy.median, floor_busy.median)) + " (scrape / this)", "—", "—"))
    return rows


def memory_breakdown(d):
    """Where the serving exporter's resident set goes (bench/serve_memory.py), when measured."""
    if "heap" not in d:
        return ""
    return (f"; of it: malloc heap {mb(d['heap'])}, mapped files (executable, Swift runtime, Foundation and ICU, "
            f"libstdc++, GnuTLS) {mb(d['binary'])}, {d['threads']} threads' stacks {mb(d['thread_stacks'])}")



def markdown(meta, rows, growth, command, quick, scaling=(), startup=None):
    out = []
    out.append(f"Machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores, {meta.get('memory', 0) / 2**30:.0f} GiB, "
               f"Debian {meta.get('os', '?')}, Linux {meta.get('kernel', '?')}, {meta.get('swift', '?')}; "
               f"load average {meta.get('load', 0):.1f} at the start (background load makes timings noisy).  ")
    out.append(f"Command: `{command}` on commit `{meta.get('commit', '?')}`; {meta.get('runs')} run(s) per figure{' (quick mode: small sizes)' if quick else ' (3 over HTTP, for process starts and Evidently)'}; "
               "median and min–max; each ratio is of two medians from this same invocation; MiB = 2^20 bytes.  ")
    versions = meta.get("versions")
    if versions:
        out.append("Peers: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + " (pinned in bench/run).  ")
    if meta.get("duration"):
        out.append(f"The run took {meta['duration'] / 60:.0f} minutes.")
    out.append("")
    out.append("| item | figure | median | min–max | compared with | ratio | target | |")
    out.append("|---|---|---|---|---|---|---|---|")
    for sec, fig, m, r, cmp, rt, tgt, v in rows:
        out.append(f"| {sec} | {fig} | {m} | {r} | {cmp} | {rt} | {tgt} | {v} |")
    out.append("")
    out.append("Growth with the window: median (min–max).")
    out.append("")
    out.append("| window (events) | recomputation, 25 features | in-process updates/s (one core) | HTTP ingest events/s | scrape time during HTTP ingest, median / max |")
    out.append("|---|---|---|---|---|")
    for w, rc, ip, hp, st in growth:
        cell = lambda f: f"{f[0]} ({f[1].strip('()')})"
        out.append(f"| {w:,} | {cell(rc)} | {cell(ip)} | {cell(hp)} | {st} |")
    out += scaling_tables(scaling, startup)
    return "\n".join(out) + "\n"


BEGIN = "<!-- bench/report.py: table begin -->"
END = "<!-- bench/report.py: table end -->"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--command", default="bench/run")
    p.add_argument("--write", help="replace the table between the markers of this file")
    p.add_argument("--check", action="store_true", help="exit 1 when a floor of FLOORS is not met (quick mode, CI)")
    a = p.parse_args()
    R = load(a.results)
    meta, rows, growth, quick, scaling, startup = build(R, a.command)
    table = markdown(meta, rows, growth, a.command, quick, scaling, startup)
    print(table)
    if a.check:
        failed = check(R)
        if failed:
            sys.exit("floors not met:\n  " + "\n  ".join(failed))
    if a.write:
        text = open(a.write).read() if os.path.exists(a.write) else f"{BEGIN}\n{END}\n"
        if BEGIN not in text or END not in text:
            sys.exit(f"{a.write}: no table markers")
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(a.write, "w") as f:
            f.write(head + BEGIN + "\n" + table + END + tail)


if __name__ == "__main__":
    main()
