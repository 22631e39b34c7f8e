#!/usr/bin/env python3
"""Makes the bundled example's data, deterministically (Python's standard library only).

  reference.csv   5,000 rows from the training period (the reference dataset)
  events.ndjson   20,000 prediction events: the first half healthy, the second half
                  drifted (income shifts up, a new employment category, income goes
                  missing, one gender group is served worse, latency grows)
  labels.ndjson   the ground truth of every event, which replay.py sends late
  current.csv     the same 20,000 events with their labels inline, one a minute after the
                  reference period (for `evaluate` and `backtest`)

Run it again and the files come out byte-identical.
"""
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
EMPLOYMENT = ["salaried", "self_employed", "unemployed", "retired"]
EMPLOYMENT_WEIGHTS = [0.62, 0.2, 0.08, 0.1]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def draw(rng, i, drifted):
    gender = "f" if rng.random() < 0.48 else "m"
    income = rng.lognormvariate(10.9, 0.45) * (1.45 if drifted else 1.0)
    age = min(95, max(18, int(rng.gauss(44, 13))))
    debt = min(1.0, max(0.0, rng.betavariate(2, 5)))
    if drifted and rng.random() < 0.12:
        employment = "contractor"
    else:
        employment = rng.choices(EMPLOYMENT, EMPLOYMENT_WEIGHTS)[0]
    # The true risk: the link between inputs and default.
    z = -1.2 + 2.8 * debt - 0.9 * (math.log(income) - 10.9) + (0.6 if employment == "unemployed" else 0) - 0.01 * (age - 44)
    truth = 1 if rng.random() < sigmoid(z) else 0
    # The model's score: close to the truth before the drift; after it, it was never trained
    # on the new incomes and it scores group "f" higher (a fairness gap).
    noise = rng.gauss(0, 0.6 if not drifted else 1.1)
    bias = 0.9 if (drifted and gender == "f") else 0.0
    score = sigmoid(z * 1.3 + noise + bias + (0.8 * (math.log(income) - 11.3) if drifted else 0))
    score = round(min(0.999, max(0.001, score)), 4)
    prediction = 1 if score >= 0.5 else 0
    latency = rng.lognormvariate(math.log(0.02 if not drifted else 0.12), 0.5)
    if drifted and rng.random() < 0.3:
        latency *= 4
    missing_income = drifted and rng.random() < 0.08
    return {
        "request_id": f"req-{i:06d}",
        "gender": gender,
        "income": None if missing_income else round(income, 2),
        "age": age,
        "debt_ratio": round(debt, 4),
        "employment": employment,
        "score": score,
        "prediction": prediction,
        "label": truth,
        "latency_seconds": round(latency, 5),
    }


def main():
    rng = random.Random(20261122)
    with open(os.path.join(HERE, "reference.csv"), "w") as f:
        f.write("request_id,ts,prediction,score,label,latency_seconds,income,age,debt_ratio,employment,gender\n")
        for i in range(5000):
            r = draw(rng, i, False)
            ts = 1767225600 + i * 60
            f.write(f"ref-{i:05d},{ts},{r['prediction']},{r['score']},{r['label']},{r['latency_seconds']},"
                    f"{r['income']},{r['age']},{r['debt_ratio']},{r['employment']},{r['gender']}\n")
    n = 20000
    with open(os.path.join(HERE, "events.ndjson"), "w") as ev, open(os.path.join(HERE, "labels.ndjson"), "w") as lb, \
            open(os.path.join(HERE, "current.csv"), "w") as cur:
        cur.write("request_id,ts,prediction,score,label,latency_seconds,income,age,debt_ratio,employment,gender\n")
        for i in range(n):
            r = draw(rng, i, i >= n // 2)
            ts = 1767225600 + (5000 + i) * 60
            income = "" if r["income"] is None else r["income"]
            cur.write(f"{r['request_id']},{ts},{r['prediction']},{r['score']},{r['label']},{r['latency_seconds']},"
                      f"{income},{r['age']},{r['debt_ratio']},{r['employment']},{r['gender']}\n")
            event = {
                "id": r["request_id"],
                "features": {"income": r["income"], "age": r["age"], "debt_ratio": r["debt_ratio"], "employment": r["employment"]},
                "attributes": {"gender": r["gender"]},
                "prediction": str(r["prediction"]),
                "score": r["score"],
                "latency_seconds": r["latency_seconds"],
            }
            ev.write(json.dumps(event, separators=(",", ":")) + "\n")
            lb.write(json.dumps({"id": r["request_id"], "label": str(r["label"])}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
