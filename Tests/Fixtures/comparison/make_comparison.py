"""Reference values for the version comparisons (Sources/MonitorCore/Statistics/Comparison.swift).

Run from this folder: python3 make_comparison.py > comparison.json
statsmodels' proportions_ztest (pooled, two-sided) and scipy's ttest_ind(equal_var=False),
t.sf and norm.sf, on fixed and seeded cases.
"""
import json

import numpy as np
from scipy import stats
from sklearn.metrics import (accuracy_score, f1_score, mean_absolute_error, mean_squared_error, precision_score, r2_score,
                             recall_score)
from statsmodels.stats.proportion import proportions_ztest

rng = np.random.default_rng(20261129)

ztests = []
for count1, n1, count2, n2 in [(45, 100, 30, 90), (880, 1000, 860, 1000), (3, 10, 7, 12), (500, 600, 250, 300), (1, 4000, 9, 3500)]:
    z, p = proportions_ztest([count1, count2], [n1, n2])
    ztests.append({"count1": count1, "n1": n1, "count2": count2, "n2": n2, "z": float(z), "p_value": float(p)})

welch = []
for n1, n2, shift, scale in [(30, 40, 0.2, 1.5), (200, 150, 0.05, 1.0), (5, 8, 1.0, 3.0), (1000, 900, 0.0, 1.2)]:
    a = np.abs(rng.normal(0, 1, n1))
    b = np.abs(rng.normal(shift, scale, n2))
    a = [round(float(x), 6) for x in a]
    b = [round(float(x), 6) for x in b]
    t, p = stats.ttest_ind(a, b, equal_var=False)
    welch.append({"a": a, "b": b, "t": float(t), "p_value": float(p)})

t_survival = [{"t": t, "df": df, "sf": float(stats.t.sf(t, df))}
              for t, df in [(0.0, 3.0), (1.0, 1.0), (2.5, 7.3), (-1.2, 12.0), (4.0, 120.5), (10.0, 2.0), (0.3, 1000.0)]]
normal_survival = [{"z": z, "sf": float(stats.norm.sf(z))} for z in [0.0, 1.0, 1.959963984540054, 3.5, -2.0, 8.0]]

# A shadow joined with the champion by id: the last event of an id on each side; agreement
# of the predicted classes and the mean score difference (shadow - champion) over the joined
# ids where both have a score.
def last_by_id(ids):
    out = {}
    for k, i in enumerate(ids):
        if i is not None:
            out[i] = k
    return out

champion_ids = [f"r{k}" for k in range(40)] + [None, "r3"]
champion_classes = [str(int(x)) for x in rng.integers(0, 2, len(champion_ids))]
champion_scores = [round(float(x), 4) for x in rng.uniform(0, 1, len(champion_ids))]
champion_scores[5] = None
shadow_ids = [f"r{k}" for k in range(20, 60)] + [None]
shadow_classes = [str(int(x)) for x in rng.integers(0, 2, len(shadow_ids))]
shadow_scores = [round(float(x), 4) for x in rng.uniform(0, 1, len(shadow_ids))]
shadow_scores[0] = None
c, s = last_by_id(champion_ids), last_by_id(shadow_ids)
joined = [i for i in s if i in c]
agree = sum(champion_classes[c[i]] == shadow_classes[s[i]] for i in joined) / len(joined)
diffs = [shadow_scores[s[i]] - champion_scores[c[i]] for i in joined
         if shadow_scores[s[i]] is not None and champion_scores[c[i]] is not None]
shadow = {"champion": {"ids": champion_ids, "classes": champion_classes, "scores": champion_scores},
          "shadow": {"ids": shadow_ids, "classes": shadow_classes, "scores": shadow_scores},
          "joined": len(joined), "agreement": agree, "score_difference": float(np.mean(diffs))}

# The two versions the HTTP test posts (Tests/ExporterTests/VersionTests.swift): event k of a
# version of n events is labelled "1" when k is even, else "0", and predicted right when
# k < correct, else wrong; all labelled.


def version_rows(n, correct):
    labels = ["1" if k % 2 == 0 else "0" for k in range(n)]
    predictions = [l if k < correct else ("0" if l == "1" else "1") for k, l in enumerate(labels)]
    return labels, predictions


champion = version_rows(100, 80)
challenger = version_rows(50, 45)
two_versions = {"champion": {"n": 100, "correct": 80}, "challenger": {"n": 50, "correct": 45}, "difference": {}, "p_value": {}}
for name, metric in [("accuracy", accuracy_score), ("precision", precision_score), ("recall", recall_score), ("f1", f1_score)]:
    kw = {} if name == "accuracy" else {"pos_label": "1"}
    two_versions["difference"][name] = float(metric(*challenger, **kw) - metric(*champion, **kw))


def successes(labels, predictions, metric):
    pairs = list(zip(labels, predictions))
    if metric == "accuracy":
        return sum(l == p for l, p in pairs), len(pairs)
    if metric == "precision":
        return sum(l == p == "1" for l, p in pairs), sum(p == "1" for _, p in pairs)
    return sum(l == p == "1" for l, p in pairs), sum(l == "1" for l, _ in pairs)


for name in ["accuracy", "precision", "recall"]:
    (c1, n1), (c2, n2) = successes(*challenger, name), successes(*champion, name)
    two_versions["p_value"][name] = float(proportions_ztest([c1, c2], [n1, n2])[1])

# A regression champion and challenger (the HTTP test posts them): event k predicts k and is
# labelled k + its residual.


def regression_rows(n, residual):
    predictions = [float(k) for k in range(n)]
    labels = [float(k) + residual(k) for k in range(n)]
    return labels, predictions


def champion_residual(k):
    return ((k * 7) % 11 - 5) / 10


def challenger_residual(k):
    return ((k * 5) % 13 - 6) / 8


reg_champion = regression_rows(60, champion_residual)
reg_challenger = regression_rows(40, challenger_residual)
regression_versions = {"champion_n": 60, "challenger_n": 40, "difference": {}, "p_value": {}}
for name, metric in [("mae", mean_absolute_error), ("rmse", lambda y, p: mean_squared_error(y, p) ** 0.5), ("r2", r2_score)]:
    regression_versions["difference"][name] = float(metric(*reg_challenger) - metric(*reg_champion))
regression_versions["p_value"]["mae"] = float(stats.ttest_ind(
    [abs(y - p) for y, p in zip(*reg_challenger)], [abs(y - p) for y, p in zip(*reg_champion)], equal_var=False).pvalue)

print(json.dumps({"two_versions": two_versions, "regression_versions": regression_versions, "ztests": ztests, "welch": welch, "t_survival": t_survival, "normal_survival": normal_survival,
                  "shadow": shadow}, indent=1))
