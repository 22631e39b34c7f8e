#!/usr/bin/env python3
"""Reference values for the label-free quality estimate and its isotonic calibration.

Writes, next to this script:
  isotonic.json  - scikit-learn IsotonicRegression(out_of_bounds="clip") fitted on each case's
                   (score, target) pairs: its X_thresholds_, y_thresholds_ and predictions
  estimate.json  - the confidence-based estimate computed with numpy, raw and calibrated
  credit/reference.csv, credit/current.csv and credit/expected.json - a small model for the
                   tests through `evaluate` and `serve` (current rows carry no labels)

Run: python3 make_estimated_quality.py   (numpy, scikit-learn 1.9.1)
"""
import csv
import json
import os

import numpy as np
from sklearn.isotonic import IsotonicRegression

HERE = os.path.dirname(os.path.abspath(__file__))
QUERIES = [-0.5, 0.0, 0.05, 0.1, 0.25, 0.333, 0.5, 0.61, 0.75, 0.9, 0.99, 1.0, 1.5]


def fit(scores, targets):
    iso = IsotonicRegression(out_of_bounds="clip")
    iso.fit(np.asarray(scores, dtype=float), np.asarray(targets, dtype=float))
    return iso


def isotonic_case(name, scores, targets, queries=QUERIES):
    iso = fit(scores, targets)
    return {
        "name": name,
        "scores": [float(s) for s in scores],
        "targets": [float(t) for t in targets],
        "thresholds": iso.X_thresholds_.tolist(),
        "values": iso.y_thresholds_.tolist(),
        "queries": [float(q) for q in queries],
        "predictions": iso.predict(np.asarray(queries, dtype=float)).tolist(),
    }


def estimate(scores, positive):
    """The expected confusion matrix: predicted positives add s to TP and 1 - s to FP,
    predicted negatives s to FN and 1 - s to TN."""
    s = np.asarray(scores, dtype=float)
    p = np.asarray(positive, dtype=bool)
    tp = np.sum(s[p])
    fp = np.sum(1 - s[p])
    fn = np.sum(s[~p])
    tn = np.sum(1 - s[~p])
    n = len(s)

    def ratio(a, b):
        return float(a / b) if b > 0 else 0.0

    return {
        "tp": float(tp), "fp": float(fp), "fn": float(fn), "tn": float(tn),
        "accuracy": float((tp + tn) / n),
        "precision": ratio(tp, tp + fp),
        "recall": ratio(tp, tp + fn),
        "f1": ratio(2 * tp, 2 * tp + fp + fn),
    }


def main():
    rng = np.random.default_rng(20261129)

    # --- isotonic cases ---
    cases = []
    cases.append(isotonic_case("four points, one violation", [0.1, 0.4, 0.6, 0.9], [0, 1, 0, 1]))
    cases.append(isotonic_case(
        "ties in scores with mixed labels",
        [0.2, 0.2, 0.2, 0.5, 0.5, 0.7, 0.7, 0.7, 0.7, 0.3, 0.9, 0.9],
        [0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1]))
    cases.append(isotonic_case("constant labels 0", [0.1, 0.3, 0.3, 0.8], [0, 0, 0, 0]))
    cases.append(isotonic_case("constant labels 1", [0.15, 0.4, 0.95], [1, 1, 1]))
    cases.append(isotonic_case("one distinct score", [0.42, 0.42, 0.42], [1, 0, 1]))
    cases.append(isotonic_case(
        "decreasing labels pool into one block", [0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 1, 0, 0]))
    cases.append(isotonic_case(
        "scores within 1e-15 merge", [0.5, 0.5000000000000001, 0.6, 0.2], [1, 0, 1, 0]))
    cases.append(isotonic_case(
        "narrow range, queries outside it", [0.3, 0.35, 0.4, 0.45, 0.5], [0, 1, 0, 1, 1]))
    s = np.round(rng.uniform(0, 1, 400), 2)
    y = (rng.uniform(0, 1, 400) < s ** 1.5).astype(float)
    cases.append(isotonic_case("400 random scores on a 0.01 grid", s.tolist(), y.tolist(),
                               QUERIES + [0.123, 0.456, 0.789]))
    with open(os.path.join(HERE, "isotonic.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=1)
        f.write("\n")

    # --- estimate cases ---
    est = []
    s = rng.uniform(0, 1, 1000)
    p = (s >= 0.5) ^ (rng.uniform(0, 1, 1000) < 0.1)
    est.append({"name": "1000 scores, 10% of predictions flipped", "scores": s.tolist(), "positive": p.tolist(),
                **estimate(s, p)})
    s = np.array([0.2, 0.1, 0.4])
    p = np.array([False, False, False])
    est.append({"name": "nothing predicted positive", "scores": s.tolist(), "positive": p.tolist(), **estimate(s, p)})
    s = np.array([0.0, 0.0, 1.0, 1.0])
    p = np.array([False, True, True, False])
    est.append({"name": "certain scores", "scores": s.tolist(), "positive": p.tolist(), **estimate(s, p)})
    # Calibrated: fitted on a reference whose scores overstate the positives.
    ref_s = rng.uniform(0, 1, 600)
    ref_y = (rng.uniform(0, 1, 600) < ref_s ** 2).astype(float)
    cur_s = rng.uniform(0, 1, 800)
    cur_p = cur_s >= 0.6
    iso = fit(ref_s, ref_y)
    est.append({"name": "isotonic calibration fitted on a reference", "reference_scores": ref_s.tolist(),
                "reference_targets": ref_y.tolist(), "scores": cur_s.tolist(), "positive": cur_p.tolist(),
                **estimate(iso.predict(cur_s), cur_p)})
    with open(os.path.join(HERE, "estimate.json"), "w") as f:
        json.dump({"cases": est}, f, indent=1)
        f.write("\n")

    # --- a model for evaluate and serve ---
    folder = os.path.join(HERE, "credit")
    os.makedirs(folder, exist_ok=True)
    header = ["request_id", "prediction", "score", "label", "income"]

    def write(path, rows):
        with open(path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    ref_s = np.round(rng.uniform(0, 1, 300), 3)
    ref_y = (rng.uniform(0, 1, 300) < ref_s ** 2).astype(int)
    ref_inc = np.round(rng.normal(50000, 10000, 300), 0)
    write(os.path.join(folder, "reference.csv"),
          [[f"r{i}", int(ref_s[i] >= 0.5), f"{ref_s[i]:.3f}", int(ref_y[i]), f"{ref_inc[i]:.0f}"] for i in range(300)])
    cur_s = np.round(rng.uniform(0, 1, 200), 3)
    cur_p = cur_s >= 0.5
    cur_inc = np.round(rng.normal(52000, 10000, 200), 0)
    # Some events without a score: they do not count in the estimate.
    no_score = set(range(0, 200, 25))
    write(os.path.join(folder, "current.csv"),
          [[f"c{i}", int(cur_p[i]), "" if i in no_score else f"{cur_s[i]:.3f}", "", f"{cur_inc[i]:.0f}"] for i in range(200)])
    keep = np.array([i not in no_score for i in range(200)])
    iso = fit(ref_s, ref_y)
    expected = {
        "raw": estimate(cur_s[keep], cur_p[keep]),
        "isotonic": estimate(iso.predict(cur_s[keep]), cur_p[keep]),
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
