#!/usr/bin/env python3
"""The batch job as a data engineer would script it: polars + numpy + scipy, the strategy's
features and methods.

  bench/peer_polars.py --reference R.csv --current C.csv [--bins 10]

One process does what `model_exporter evaluate` does for the benchmark strategy
(bench/gen_data.py: every metric on), timed from its start by bench/run like the exporter:

- reads both CSVs with polars' multi-threaded `read_csv`;
- per numerical feature (fNN) and for the score: missing share, out-of-range share (the
  strategy's ranges), mean and population std; reference quantile edges (`bins` bins) and
  `np.searchsorted` counts for PSI, Jensen-Shannon and Hellinger; `np.sort` +
  `np.searchsorted` for the KS statistic with scipy's asymptotic p-value (`kstwobign`);
  `scipy.stats.wasserstein_distance` divided by the reference's std;
- per categorical feature (cN): missing and new-category shares, counts over the reference's
  categories, `scipy.stats.chisquare`, PSI, Jensen-Shannon and Hellinger; chi-square on the label;
- accuracy, precision, recall, F1, ROC AUC (`scipy.stats.mannwhitneyu`'s U / (n1 n0)), log loss,
  Brier score, expected calibration error (10 bins) on the labelled rows;
- selection rate, TPR and FPR per group and the four fairness gaps; the latency histogram.

It renders nothing (no exposition text): the exporter's output is a page of Prometheus text,
this script's a dict. Prints {"import_seconds", "read_seconds", "compute_seconds", "versions"}
as JSON on stdout.
"""
import time

T0 = time.perf_counter()
import argparse  # noqa: E402
import json  # noqa: E402

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402

T_IMPORT = time.perf_counter()

RANGES = {1: (18, 90), 2: (0, 1)}  # feature k % 5 → range (bench/gen_data.py)
CATEGORIES = {
    "c0": ["salaried", "self_employed", "unemployed", "retired"],
    "c1": ["north", "south", "east", "west", "central"],
    "c2": ["web", "mobile", "branch"],
    "c3": ["basic", "silver", "gold", "platinum", "black", "student"],
    "c4": ["A", "B", "C", "D", "E", "F", "G", "H"],
}
LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
EPS = 1e-4


def binned(p, q):
    """PSI, Jensen-Shannon distance (base 2) and Hellinger distance of two proportion vectors."""
    pe, qe = np.maximum(p, EPS), np.maximum(q, EPS)
    psi = float(np.sum((qe - pe) * np.log(qe / pe)))
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log2(p / m), 0.0)
        kl_q = np.where(q > 0, q * np.log2(q / m), 0.0)
    js = float(np.sqrt(max(0.0, (kl_p.sum() + kl_q.sum()) / 2)))
    hellinger = float(np.sqrt(max(0.0, 1 - np.sum(np.sqrt(p * q)))))
    return psi, js, hellinger


def numerical(ref, cur, bins, rng):
    r = np.sort(ref[~np.isnan(ref)])
    x = cur[~np.isnan(cur)]
    out = {"missing": float(np.isnan(cur).mean())}
    if rng is not None:
        out["out_of_range"] = float(((x < rng[0]) | (x > rng[1])).mean())
    out["mean"], out["std"] = float(x.mean()), float(x.std())
    xs = np.sort(x)
    # KS: the largest gap between the two empirical CDFs, over every value of either sample.
    allv = np.concatenate([r, xs])
    d = float(np.max(np.abs(np.searchsorted(r, allv, side="right") / len(r) - np.searchsorted(xs, allv, side="right") / len(xs))))
    en = len(r) * len(xs) / (len(r) + len(xs))
    out["ks"], out["ks_p"] = d, float(stats.kstwobign.sf(d * np.sqrt(en)))
    out["wasserstein"] = float(stats.wasserstein_distance(r, xs) / max(r.std(), 1e-12))
    edges = np.unique(np.quantile(r, np.linspace(0, 1, bins + 1)[1:-1]))
    p = np.bincount(np.searchsorted(edges, r, side="right"), minlength=len(edges) + 1) / len(r)
    q = np.bincount(np.searchsorted(edges, xs, side="right"), minlength=len(edges) + 1) / len(xs)
    out["psi"], out["jensen_shannon"], out["hellinger"] = binned(p, q)
    return out


def categorical(ref, cur, known):
    out = {"missing": float(cur.null_count() / len(cur))}
    index = {c: i for i, c in enumerate(known)}
    def counts(col):
        vc = col.drop_nulls().value_counts()
        c = np.zeros(len(known))
        new = 0
        for v, n in zip(vc[:, 0].to_list(), vc[:, 1].to_list()):
            if v in index:
                c[index[v]] = n
            else:
                new += n
        return c, new
    rc, _ = counts(ref)
    cc, new = counts(cur)
    out["new_category"] = new / len(cur)
    p, q = rc / rc.sum(), cc / cc.sum()
    out["chi_square"], out["chi_square_p"] = (float(v) for v in stats.chisquare(cc, p * cc.sum()))
    out["psi"], out["jensen_shannon"], out["hellinger"] = binned(p, q)
    return out


def quality(pred, label, score, group):
    known = ~np.isnan(label)
    y, yhat, s = label[known] == 1, pred[known] == 1, score[known]
    tp, fp = np.sum(yhat & y), np.sum(yhat & ~y)
    fn = np.sum(~yhat & y)
    out = {"accuracy": float(np.mean(yhat == y))}
    out["precision"] = float(tp / max(tp + fp, 1))
    out["recall"] = float(tp / max(tp + fn, 1))
    out["f1"] = float(2 * tp / max(2 * tp + fp + fn, 1))
    u = stats.mannwhitneyu(s[y], s[~y]).statistic
    out["roc_auc"] = float(u / (y.sum() * (~y).sum()))
    sc = np.clip(s, 1e-15, 1 - 1e-15)
    out["log_loss"] = float(-np.mean(np.where(y, np.log(sc), np.log(1 - sc))))
    out["brier"] = float(np.mean((s - y) ** 2))
    b = np.minimum((s * 10).astype(int), 9)
    n = np.bincount(b, minlength=10)
    conf = np.bincount(b, weights=s, minlength=10)
    acc = np.bincount(b, weights=y.astype(float), minlength=10)
    out["calibration_error"] = float(np.sum(np.abs(acc - conf)) / len(s))
    # Fairness over every row (selection) and the labelled rows (TPR, FPR).
    rates = {}
    for g in np.unique(group):
        m = group == g
        mk = m[known]
        rates[g] = (float(np.mean(pred[m] == 1)), float(np.mean(yhat[mk & y])) if np.any(mk & y) else 0.0,
                    float(np.mean(yhat[mk & ~y])) if np.any(mk & ~y) else 0.0)
    sel = [v[0] for v in rates.values()]
    tpr = [v[1] for v in rates.values()]
    fpr = [v[2] for v in rates.values()]
    out["demographic_parity_difference"] = max(sel) - min(sel)
    out["demographic_parity_ratio"] = min(sel) / max(sel) if max(sel) > 0 else 0.0
    out["equal_opportunity_difference"] = max(tpr) - min(tpr)
    out["equalized_odds_difference"] = max(max(tpr) - min(tpr), max(fpr) - min(fpr))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reference", required=True)
    p.add_argument("--current", required=True)
    p.add_argument("--bins", type=int, default=10)
    a = p.parse_args()
    t0 = time.perf_counter()
    ref = pl.read_csv(a.reference)
    cur = pl.read_csv(a.current)
    t1 = time.perf_counter()
    out = {}
    def floats(df, c):
        return df[c].cast(pl.Float64).to_numpy()
    for c in ref.columns:
        if c.startswith("f") and c[1:].isdigit():
            out[c] = numerical(floats(ref, c), floats(cur, c), a.bins, RANGES.get(int(c[1:]) % 5))
        elif c in CATEGORIES:
            out[c] = categorical(ref[c], cur[c], CATEGORIES[c])
    out["score"] = numerical(floats(ref, "score"), floats(cur, "score"), a.bins, None)
    label_ref = ref["label"].cast(pl.Utf8)
    label_cur = cur["label"].cast(pl.Utf8)
    out["label"] = categorical(label_ref, label_cur, ["0", "1"])
    out["quality"] = quality(floats(cur, "prediction"), floats(cur, "label"), floats(cur, "score"), cur["group"].to_numpy())
    lat = floats(cur, "latency_seconds")
    out["latency"] = np.bincount(np.searchsorted(LATENCY_BUCKETS, lat[~np.isnan(lat)], side="left"),
                                 minlength=len(LATENCY_BUCKETS) + 1).cumsum().tolist()
    t2 = time.perf_counter()
    assert len(out) == 29, sorted(out)  # 25 features, score, label, quality, latency
    print(json.dumps({
        "import_seconds": T_IMPORT - T0, "read_seconds": t1 - t0, "compute_seconds": t2 - t1,
        "versions": {"polars": pl.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
        "threads": pl.thread_pool_size(),
    }))


if __name__ == "__main__":
    main()
