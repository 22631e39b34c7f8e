"""Log predictions and delayed labels to model_exporter from Python.

    from model_exporter_client import Monitor

    monitor = Monitor("http://127.0.0.1:9744", model="credit-risk")
    with monitor.timed(id=request_id, features=features) as t:
        t.prediction, t.score = predict(features)
    ...
    monitor.label(request_id, outcome)   # when the ground truth is known

Standard library only. Calls never block and never raise because of the exporter: events go
into a bounded queue that a background thread sends as NDJSON batches.
"""

from ._monitor import Monitor, Rejection, Stats, Timer

__all__ = ["Monitor", "Rejection", "Stats", "Timer"]
__version__ = "0.1.0"
