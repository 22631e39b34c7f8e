#!/usr/bin/env python3
"""Reference values for the custom metrics of a window, computed with numpy and scipy.

Writes, next to this script, reference.csv and current.csv (the files strategy.yml reads:
one feature `x`, a prediction, the custom metrics as columns, an empty cell where an event
does not carry one) and custom_metrics.json: the same samples and the values the exporter
must give for them:
- `bleu`: mean and population standard deviation (numpy.std, ddof=0) of the window's given
  values, and its drift against the reference by every numerical method, as docs/metrics.md
  defines them (ks: scipy.stats.ks_2samp's statistic with the Kolmogorov asymptotic
  p-value; wasserstein normed by the reference's std; psi, jensen_shannon and hellinger over
  the reference's quantile bins);
- `regret`: mean and standard deviation only (the reference has no such column);
- both: the sum and count of every given value (the counters since start).

Run: python3 Tests/Fixtures/custom/make_custom_metrics.py
"""
import json
import math
import os

import numpy as np
from scipy import special, stats
from scipy.spatial import distance

BINS = 10
rng = np.random.default_rng(20261129)

reference_bleu = np.round(rng.beta(4, 5, size=300), 6)
# The window: bleu drifts down; some events carry no bleu, some no regret.
n = 120
bleu = np.round(rng.beta(3, 6, size=n), 6)
regret = np.round(rng.gamma(2.0, 0.5, size=n), 6)
bleu_given = [i % 7 != 3 for i in range(n)]
regret_given = [i % 5 != 1 for i in range(n)]

R = reference_bleu
C = np.array([b for b, g in zip(bleu, bleu_given) if g])
G = np.array([r for r, g in zip(regret, regret_given) if g])


def ks(r, c):
    d = stats.ks_2samp(r, c).statistic
    en = math.sqrt(len(r) * len(c) / (len(r) + len(c)))
    return float(d), float(special.kolmogorov(en * d))


def proportions(r, c):
    edges = np.unique(np.quantile(r, [i / BINS for i in range(1, BINS)]))
    def props(x):
        counts = np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)
        return counts / counts.sum()
    return props(r), props(c)


def psi(p, q):
    p = np.where(p == 0, 0.0001, p)
    q = np.where(q == 0, 0.0001, q)
    return float(np.sum((q - p) * np.log(q / p)))


p, q = proportions(R, C)
d, pv = ks(R, C)
expected = {
    "bleu": {
        "mean": float(np.mean(C)),
        "stddev": float(np.std(C)),
        "sum": float(np.sum(C)),
        "count": int(len(C)),
        "drift": {
            "ks": {"score": d, "p_value": pv},
            "wasserstein": {"score": float(stats.wasserstein_distance(R, C) / max(np.std(R), 0.001))},
            "psi": {"score": psi(p, q)},
            "jensen_shannon": {"score": float(distance.jensenshannon(p, q, base=2))},
            "hellinger": {"score": float(math.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)))},
        },
    },
    "regret": {
        "mean": float(np.mean(G)),
        "stddev": float(np.std(G)),
        "sum": float(np.sum(G)),
        "count": int(len(G)),
    },
}

out = {
    "bins": BINS,
    "reference_bleu": [float(x) for x in R],
    "window": [
        {"bleu": float(b) if bg else None, "regret": float(r) if rg else None}
        for b, r, bg, rg in zip(bleu, regret, bleu_given, regret_given)
    ],
    "expected": expected,
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "custom_metrics.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")


def cell(x):
    return "" if x is None else repr(float(x))


with open(os.path.join(here, "reference.csv"), "w") as f:
    f.write("x,prediction,bleu\n")
    for i, b in enumerate(R):
        f.write(f"{i % 10},{i % 2},{cell(b)}\n")
with open(os.path.join(here, "current.csv"), "w") as f:
    f.write("x,prediction,bleu,regret\n")
    for i, e in enumerate(out["window"]):
        f.write(f"{i % 10},{i % 2},{cell(e['bleu'])},{cell(e['regret'])}\n")
print(here)
