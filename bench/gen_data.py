#!/usr/bin/env python3
"""Deterministic data for bench/run (standard library only, so quick mode needs no venv).

Writes under OUT (default bench/data/):

  main/reference.csv      REF rows: 20 numerical + 5 categorical features, binary task with
                          score and label, one protected attribute, latency
  main/current.csv        CUR rows of the same columns; five features drift, a few cells are
                          missing, a few categories are new, a fifth of the labels are unknown
  main/strategy.yml       every metric on (all drift methods on every feature)
  main/strategy-wN.yml    the same with window.events = N (serve mode), N in WINDOWS
  main/events/NNN.ndjson  the current rows as API events, 1,000 per body (POST bodies)
  scrape/SxM/…            strategies serving the main data under M model names (scrape sizes)
  wide/reference.csv      100 features (90 numerical, 10 categorical) for the memory figure
  wide/strategy.yml

Same arguments → byte-identical files (random.Random with fixed seeds, fixed formatting).
"""
import argparse
import json
import math
import os
import random

NUMERICAL = 20
CATEGORICAL = 5
GROUPS = ["a", "b", "c"]


def numerical_spec(k):
    """Distribution of numerical feature k: (kind, p1, p2, decimals)."""
    kinds = [
        ("lognormal", 10.5, 0.6, 2),   # income-like
        ("int", 18, 90, 0),            # age-like: integers, many ties
        ("beta", 2.0, 5.0, None),      # ratio-like in [0, 1]; None: full precision (repr)
        ("normal", 0.0, 1.0, None),
        ("exponential", 0.5, 0, 6),
    ]
    kind, a, b, d = kinds[k % len(kinds)]
    if kind == "normal":
        a = float(k)
        b = 1.0 + k / 10
    return kind, a, b, d


def draw_numerical(rng, k, drift):
    kind, a, b, _ = numerical_spec(k)
    if kind == "lognormal":
        return rng.lognormvariate(a + 0.15 * drift, b)
    if kind == "int":
        return float(min(b, max(a, round(rng.gauss(45 + 4 * drift, 14)))))
    if kind == "beta":
        return rng.betavariate(a + drift, b)
    if kind == "normal":
        return rng.gauss(a + 0.3 * drift * b, b)
    return rng.expovariate(a / (1 + 0.3 * drift))


def standardised(kind, a, b, x):
    """Roughly (x - mean) / scale of the undrifted distribution."""
    if kind == "lognormal":
        return (math.log(x) - a) / b
    if kind == "int":
        return (x - 45) / 14
    if kind == "beta":
        return (x - a / (a + b)) / 0.16
    if kind == "normal":
        return (x - a) / b
    return x * a - 1


def fmt(x, decimals):
    if decimals is None:
        return repr(x)
    if decimals == 0:
        return str(int(x))
    s = f"{x:.{decimals}f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


CATEGORIES = [
    ["salaried", "self_employed", "unemployed", "retired"],
    ["north", "south", "east", "west", "central"],
    ["web", "mobile", "branch"],
    ["basic", "silver", "gold", "platinum", "black", "student"],
    ["A", "B", "C", "D", "E", "F", "G", "H"],
]


def category_weights(c, drift):
    n = len(CATEGORIES[c])
    w = [1.0 / (i + 1) for i in range(n)]
    if drift:
        w = list(reversed(w))
    return w


def rows(seed, count, numerical, categorical, num_drift, cat_drift, missing, new_rate, unlabeled):
    """Yields rows as lists of strings (header order of `header`)."""
    rng = random.Random(seed)
    for i in range(count):
        nums = []
        z = 0.0
        for k in range(numerical):
            drift = 1.0 if k in num_drift else 0.0
            x = draw_numerical(rng, k, drift)
            kind, a, b, d = numerical_spec(k)
            # A standardised contribution to the score (the model "uses" the first features).
            if k < 6:
                z += 0.6 * standardised(kind, a, b, x)
            nums.append("" if rng.random() < missing else fmt(x, d))
        cats = []
        for c in range(categorical):
            names = CATEGORIES[c % len(CATEGORIES)]
            r = rng.random()
            if r < missing:
                cats.append("")
            elif r < missing + new_rate:
                cats.append("new_" + names[0])
            else:
                cats.append(rng.choices(names, category_weights(c % len(CATEGORIES), c in cat_drift))[0])
        group = rng.choices(GROUPS, [0.5, 0.3, 0.2])[0]
        z += {"a": 0.0, "b": 0.25, "c": -0.25}[group] + rng.gauss(0, 1)
        score = 1 / (1 + math.exp(-z))
        prediction = "1" if score >= 0.5 else "0"
        label = "" if rng.random() < unlabeled else ("1" if rng.random() < score else "0")
        latency = rng.lognormvariate(math.log(0.02), 0.8)
        yield [f"r{seed}-{i}", prediction, fmt(score, 6), label, fmt(latency, 6)] + nums + cats + [group]


def header(numerical, categorical):
    return (["request_id", "prediction", "score", "label", "latency_seconds"]
            + [f"f{k:02d}" for k in range(numerical)] + [f"c{c}" for c in range(categorical)] + ["group"])


def write_csv(path, numerical, categorical, it):
    with open(path, "w", newline="") as f:
        f.write(",".join(header(numerical, categorical)) + "\n")
        for r in it:
            f.write(",".join(r) + "\n")


def strategy(name, numerical, categorical, window, reference="reference.csv"):
    lines = [
        f"# bench/gen_data.py: {numerical} numerical + {categorical} categorical features, every metric on",
        "version: 1",
        "model:",
        f"  name: {name}",
        '  version: "1.0.0"',
        "  task: binary_classification",
        '  positive_label: "1"',
        "reference:",
        f"  path: {reference}",
        "columns:",
        "  id: request_id",
        "  prediction: prediction",
        "  score: score",
        "  label: label",
        "  latency: latency_seconds",
        "features:",
    ]
    for k in range(numerical):
        kind, a, b, _ = numerical_spec(k)
        lines += [f"  - name: f{k:02d}", "    type: numerical"]
        if kind == "int":
            lines.append(f"    range: [{a}, {b}]")
        elif kind == "beta":
            lines.append("    range: [0, 1]")
    for c in range(categorical):
        names = CATEGORIES[c % len(CATEGORIES)]
        lines += [f"  - name: c{c}", "    type: categorical", f"    values: [{', '.join(names)}]"]
    lines += [
        "protected_attributes: [group]",
        "window:",
        f"  events: {window}",
        "metrics:",
        "  quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]",
        "  drift:",
        "    numerical: [psi, ks, wasserstein, jensen_shannon, hellinger]",
        "    categorical: [chi_square, psi, jensen_shannon, hellinger]",
        "    prediction: [ks, psi, wasserstein, jensen_shannon, hellinger]",
        "    target: [chi_square]",
        "    bins: 10",
        "  fairness: [demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference, equal_opportunity_difference]",
        "  data_quality: [missing, out_of_range, new_category, summary]",
        "  latency:",
        "    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]",
    ]
    return "\n".join(lines) + "\n"


def event_json(hdr, row, numerical, categorical, model=None):
    values = dict(zip(hdr, row))
    features = {}
    for k in range(numerical):
        v = values[f"f{k:02d}"]
        features[f"f{k:02d}"] = None if v == "" else float(v) if "." in v else int(v)
    for c in range(categorical):
        v = values[f"c{c}"]
        features[f"c{c}"] = None if v == "" else v
    e = {}
    if model:
        e["model"] = model
    e["id"] = values["request_id"]
    e["features"] = features
    e["attributes"] = {"group": values["group"]}
    e["prediction"] = values["prediction"]
    e["score"] = float(values["score"])
    if values["label"]:
        e["label"] = values["label"]
    e["latency_seconds"] = float(values["latency_seconds"])
    return json.dumps(e, separators=(",", ":"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    p.add_argument("--reference", type=int, default=10_000)
    p.add_argument("--current", type=int, default=100_000)
    p.add_argument("--windows", default="1000,10000,100000,1000000")
    p.add_argument("--bodies", type=int, default=32, help="NDJSON bodies of 1,000 events")
    p.add_argument("--scrape-models", default="3,30", help="model counts of the scrape setups")
    p.add_argument("--wide-features", type=int, default=100)
    p.add_argument("--wide-windows", default="10000,100000")
    a = p.parse_args()

    main_dir = os.path.join(a.out, "main")
    os.makedirs(os.path.join(main_dir, "events"), exist_ok=True)
    # Numerical f00–f04 and categorical c0, c1 drift in the current data.
    write_csv(os.path.join(main_dir, "reference.csv"), NUMERICAL, CATEGORICAL,
              rows(1, a.reference, NUMERICAL, CATEGORICAL, set(), set(), 0.005, 0.0, 0.0))
    current = list(rows(2, a.current, NUMERICAL, CATEGORICAL, {0, 1, 2, 3, 4}, {0, 1}, 0.01, 0.002, 0.2))
    write_csv(os.path.join(main_dir, "current.csv"), NUMERICAL, CATEGORICAL, iter(current))
    with open(os.path.join(main_dir, "strategy.yml"), "w") as f:
        f.write(strategy("bench", NUMERICAL, CATEGORICAL, 10_000))
    for w in [int(x) for x in a.windows.split(",") if x]:
        with open(os.path.join(main_dir, f"strategy-w{w}.yml"), "w") as f:
            f.write(strategy("bench", NUMERICAL, CATEGORICAL, w))
    hdr = header(NUMERICAL, CATEGORICAL)
    for b in range(a.bodies):
        chunk = current[(b * 1000) % len(current):][:1000]
        with open(os.path.join(main_dir, "events", f"{b:03d}.ndjson"), "w") as f:
            for r in chunk:
                f.write(event_json(hdr, r, NUMERICAL, CATEGORICAL) + "\n")

    # Scrape setups: the main model served under M names, all on the main reference, and a body
    # of events for each (model named in every event).
    for m in [int(x) for x in a.scrape_models.split(",") if x]:
        d = os.path.join(a.out, "scrape", f"m{m}")
        os.makedirs(d, exist_ok=True)
        for k in range(m):
            with open(os.path.join(d, f"model{k:02d}.yml"), "w") as f:
                f.write(strategy(f"bench{k:02d}", NUMERICAL, CATEGORICAL, 10_000, reference="../../main/reference.csv"))
        lines = [event_json(hdr, r, NUMERICAL, CATEGORICAL, model=f"bench{k:02d}") for k in range(m) for r in current[:2000]]
        with open(os.path.join(d, "events.ndjson"), "w") as f:
            f.write("".join(x + "\n" for x in lines))
        # Bodies of 1,000 events spread over the models, for ingest while scraping.
        os.makedirs(os.path.join(d, "bodies"), exist_ok=True)
        mixed = [event_json(hdr, r, NUMERICAL, CATEGORICAL, model=f"bench{i % m:02d}") for i, r in enumerate(current[2000:8000])]
        for b in range(len(mixed) // 1000):
            with open(os.path.join(d, "bodies", f"{b:03d}.ndjson"), "w") as f:
                f.write("".join(x + "\n" for x in mixed[b * 1000:(b + 1) * 1000]))

    # Wide: 100 features for the memory figure.
    wn = a.wide_features - a.wide_features // 10
    wc = a.wide_features // 10
    d = os.path.join(a.out, "wide")
    os.makedirs(d, exist_ok=True)
    wide_rows = list(rows(3, a.reference, wn, wc, set(), set(), 0.005, 0.0, 0.0))
    write_csv(os.path.join(d, "reference.csv"), wn, wc, iter(wide_rows))
    with open(os.path.join(d, "strategy.yml"), "w") as f:
        f.write(strategy("wide", wn, wc, 10_000))
    for w in [int(x) for x in a.wide_windows.split(",") if x]:
        with open(os.path.join(d, f"strategy-w{w}.yml"), "w") as f:
            f.write(strategy("wide", wn, wc, w))
    # Events for the wide model (the reference rows, 1,000 per body), posted again and again to
    # fill larger windows.
    os.makedirs(os.path.join(d, "events"), exist_ok=True)
    whdr = header(wn, wc)
    for b in range(len(wide_rows) // 1000):
        with open(os.path.join(d, "events", f"{b:03d}.ndjson"), "w") as f:
            f.write("".join(event_json(whdr, r, wn, wc) + "\n" for r in wide_rows[b * 1000:(b + 1) * 1000]))


if __name__ == "__main__":
    main()
