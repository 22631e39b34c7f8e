#!/usr/bin/env python3
"""The end-to-end test's data: one draw function for the reference dataset and the live events.

Run as a script, it writes reference.csv (3,000 rows from the healthy process) beside itself,
byte-identical on every run. scenario.py imports `draw` to make the live events, healthy or
with one fault:

  healthy    like the reference; labels agree with the prediction 90% of the time
  drift      income is reported 2.5 times higher (the model's score does not move)
  quality    labels disagree with the prediction 90% of the time (F1 collapses)
  fairness   group "f" is predicted positive far more often (demographic parity gap)
  latency    every prediction takes 0.6-0.9 s (healthy: 4-40 ms)
  missing    income is missing in 40% of the events

Python's standard library only.
"""
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
EMPLOYMENT = ["retired", "salaried", "self_employed", "unemployed"]
EMPLOYMENT_WEIGHTS = [0.1, 0.62, 0.2, 0.08]
MODES = ["healthy", "drift", "quality", "fairness", "latency", "missing"]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def draw(rng, mode="healthy"):
    """One prediction with its ground truth: a dict of plain values."""
    assert mode in MODES, mode
    gender = "f" if rng.random() < 0.5 else "m"
    income = rng.lognormvariate(10.9, 0.45)
    age = min(95, max(18, int(rng.gauss(44, 13))))
    employment = rng.choices(EMPLOYMENT, EMPLOYMENT_WEIGHTS)[0]
    z = -0.6 - 1.2 * (math.log(income) - 10.9) + 0.02 * (age - 44) + (0.8 if employment == "unemployed" else 0.0) + rng.gauss(0, 1)
    if mode == "fairness" and gender == "f":
        z += 2.5
    score = round(min(0.999, max(0.001, sigmoid(z))), 4)
    prediction = 1 if score >= 0.5 else 0
    agrees = rng.random() < 0.9
    if mode == "quality":
        agrees = not agrees
    label = prediction if agrees else 1 - prediction
    if mode == "latency":
        latency = rng.uniform(0.6, 0.9)
    else:
        latency = rng.uniform(0.004, 0.04)
    if mode == "drift":
        income *= 2.5
    if mode == "missing" and rng.random() < 0.4:
        income = None
    return {
        "income": None if income is None else round(income, 2),
        "age": age,
        "employment": employment,
        "gender": gender,
        "score": score,
        "prediction": prediction,
        "label": label,
        "latency_seconds": round(latency, 5),
    }


def event(i, r):
    """The events API body of draw()'s row `r` with id `e-<i>`."""
    return {
        "id": f"e-{i:07d}",
        "features": {"income": r["income"], "age": r["age"], "employment": r["employment"]},
        "attributes": {"gender": r["gender"]},
        "prediction": str(r["prediction"]),
        "score": r["score"],
        "latency_seconds": r["latency_seconds"],
    }


def write_reference(path, rows=3000, seed=20261122):
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write("request_id,prediction,score,label,latency_seconds,income,age,employment,gender\n")
        for i in range(rows):
            r = draw(rng)
            f.write(f"ref-{i:05d},{r['prediction']},{r['score']},{r['label']},{r['latency_seconds']},"
                    f"{r['income']},{r['age']},{r['employment']},{r['gender']}\n")


if __name__ == "__main__":
    write_reference(os.path.join(HERE, "reference.csv"))
