"""The Monitor: a bounded queue in front of one background sender thread.

The caller's thread only serialises the event and appends it to the queue (never waits on the
network, never raises because of the exporter). The sender thread takes up to `batch_size`
items at a time, or whatever is queued once the oldest item has waited `flush_interval`
seconds, and posts them as NDJSON: the batch's events to /api/v1/events, then its labels to
/api/v1/labels, so a label never overtakes its event.

Delivery:
- 2xx: sent.
- 5xx, 408, 429, a refused connection or a timeout: retried with exponential backoff
  (`backoff` * 2**attempt, at most `max_backoff`, with jitter), up to `max_retries` times; then
  the batch is dropped and counted in `failed`.
- any other 4xx: the exporter applies a request whole or not at all and lists every problem
  with the index of the event it concerns. The refused items are counted in `rejected` and
  reported through `on_rejected` (default: a warning on the `model_exporter_client` logger);
  when the exporter named the bad items, the others are sent again once without them.
"""

from __future__ import annotations

import atexit
import base64
import collections
import dataclasses
import datetime
import http.client
import json
import logging
import math
import os
import random
import threading
import time
import urllib.error
import urllib.request
import weakref
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Tuple, Union

logger = logging.getLogger("model_exporter_client")

_EVENTS = "events"
_LABELS = "labels"
_RETRYABLE_4XX = (408, 429)


@dataclasses.dataclass(frozen=True)
class Rejection:
    """A request the exporter refused with a 4xx answer.

    `problems` is the exporter's list, as it sent it: one `{"index", "field", "reason"}` per
    problem, `index` counting the items of the refused request from 0. `items` are the
    payloads the problems point into, so `items[p["index"]]` is the offending event or label.
    """

    status: int
    endpoint: str
    error: str
    problems: List[Dict[str, Any]]
    dropped: int
    items: List[Dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Stats:
    """What happened to everything logged so far (a snapshot; see `Monitor.stats()`)."""

    events_sent: int = 0
    labels_sent: int = 0
    #: Dropped because the queue was full (`max_queue`): the caller is never made to wait.
    dropped: int = 0
    #: Refused by the exporter (4xx other than 408/429), or not serialisable as JSON.
    rejected: int = 0
    #: Given up after `max_retries` retries, or still unsent when `close()` timed out.
    failed: int = 0
    #: Requests sent again after a 5xx answer or a connection error.
    retries: int = 0
    #: Items in the queue or being sent.
    pending: int = 0


Auth = Union[Tuple[str, str], str, None]


class Timer:
    """What `Monitor.timed()` yields: set the prediction inside the block; on a normal exit the
    event is logged with the block's duration as its latency. `latency` holds that duration
    afterwards. Nothing is logged when the block raises or no prediction was set."""

    def __init__(self, monitor: "Monitor", fields: Dict[str, Any]):
        self._monitor = monitor
        self.features: Optional[Mapping[str, Any]] = fields.pop("features", None)
        self.prediction: Any = fields.pop("prediction", None)
        self.score: Optional[float] = fields.pop("score", None)
        self.id: Optional[str] = fields.pop("id", None)
        self.attributes: Optional[Mapping[str, Any]] = fields.pop("attributes", None)
        self.label: Any = fields.pop("label", None)
        self.timestamp: Any = fields.pop("timestamp", None)
        self.metrics: Optional[Mapping[str, float]] = fields.pop("metrics", None)
        if fields:
            raise TypeError(f"timed() got unexpected keyword arguments: {', '.join(sorted(fields))}")
        self.latency: Optional[float] = None
        self.logged = False
        self._start = 0.0

    def __enter__(self) -> "Timer":
        self._start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.latency = time.perf_counter() - self._start
        if exc_type is None and self.prediction is not None:
            self.logged = self._monitor.log(
                features=self.features or {}, prediction=self.prediction, score=self.score, id=self.id,
                attributes=self.attributes, label=self.label, latency=self.latency, timestamp=self.timestamp,
                metrics=self.metrics,
            )
        return False


class Monitor:
    """Sends prediction events and delayed labels of one model to a model_exporter.

        monitor = Monitor("http://127.0.0.1:9744", model="credit-risk")
        monitor.log(features={"income": 52000, "employment": "salaried"}, prediction="1",
                    score=0.82, id="req-1", attributes={"gender": "f"})
        monitor.label("req-1", "0")

    `model` may be left out when the exporter serves one model. `auth` is a `(user, password)`
    pair for basic auth (or a whole `Authorization` header value). Everything queued is sent
    on `close()`, on `flush()`, and when the interpreter exits.
    """

    def __init__(
        self,
        url: str,
        model: Optional[str] = None,
        auth: Auth = None,
        *,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        max_queue: int = 10_000,
        timeout: float = 10.0,
        max_retries: int = 6,
        backoff: float = 0.25,
        max_backoff: float = 10.0,
        on_rejected: Optional[Callable[[Rejection], None]] = None,
        ssl_context: Any = None,
    ):
        if batch_size < 1 or max_queue < 1:
            raise ValueError("batch_size and max_queue must be at least 1")
        self.url = url.rstrip("/")
        self.model = model
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_queue = max_queue
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.on_rejected = on_rejected
        self.last_rejection: Optional[Rejection] = None
        self._ssl_context = ssl_context
        self._headers = {"Content-Type": "application/x-ndjson", "User-Agent": "model-exporter-client/0.1"}
        if isinstance(auth, tuple):
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            self._headers["Authorization"] = "Basic " + token
        elif isinstance(auth, str):
            self._headers["Authorization"] = auth

        self._cond = threading.Condition()
        # (enqueued at, kind, serialised item)
        self._items: Deque[Tuple[float, str, str]] = collections.deque()
        self._pending = 0
        self._flushing = 0
        self._closing = False
        self._abort = threading.Event()
        self._counts = collections.Counter()
        self._start_thread()
        # Flush on exit; weak, so an abandoned monitor can still be collected.
        ref = weakref.ref(self)
        self._at_exit = lambda: ref() is not None and ref().close()
        atexit.register(self._at_exit)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=lambda: ref() is not None and ref()._after_fork())

    # -- the caller's side ------------------------------------------------------------------

    def log(
        self,
        features: Mapping[str, Any],
        prediction: Any,
        score: Optional[float] = None,
        id: Optional[str] = None,
        attributes: Optional[Mapping[str, Any]] = None,
        label: Any = None,
        latency: Optional[float] = None,
        timestamp: Union[float, int, str, datetime.datetime, None] = None,
        model_version: Optional[str] = None,
        metrics: Optional[Mapping[str, float]] = None,
    ) -> bool:
        """Queues one prediction event. Returns False when it was dropped (queue full, or not
        serialisable); never blocks and never raises because of the exporter.

        A feature that is None or NaN counts as missing. `timestamp` is unix seconds, an RFC
        3339 string or an aware datetime (default: when the exporter receives it); `latency`
        is in seconds. `model_version` names the challenger or shadow that made the
        prediction (default: the champion). `metrics` holds the strategy's custom metrics of
        this event (`{"bleu": 0.41}`); one that is None or NaN is left out."""
        event: Dict[str, Any] = {}
        if self.model is not None:
            event["model"] = self.model
        if model_version is not None:
            event["model_version"] = str(model_version)
        if id is not None:
            event["id"] = str(id)
        if timestamp is not None:
            event["timestamp"] = timestamp.timestamp() if isinstance(timestamp, datetime.datetime) else timestamp
        event["features"] = {str(k): _finite_or_none(v) for k, v in features.items()}
        if attributes:
            event["attributes"] = {str(k): _finite_or_none(v) for k, v in attributes.items()}
        event["prediction"] = prediction
        for key, value in (("score", score), ("label", label), ("latency_seconds", latency)):
            value = _finite_or_none(value)
            if value is not None:
                event[key] = value
        if metrics:
            given = {str(k): v for k, v in ((k, _finite_or_none(v)) for k, v in metrics.items()) if v is not None}
            if given:
                event["metrics"] = given
        return self._enqueue(_EVENTS, event)

    def label(self, id: str, value: Any) -> bool:
        """Queues the ground truth of an earlier event. Returns False when it was dropped."""
        item: Dict[str, Any] = {"id": str(id), "label": value}
        if self.model is not None:
            item["model"] = self.model
        return self._enqueue(_LABELS, item)

    def timed(self, **fields: Any) -> Timer:
        """A context manager that measures the block and logs the event with it as latency:

            with monitor.timed(id=request_id, features=features) as t:
                t.prediction, t.score = predict(features)
        """
        return Timer(self, dict(fields))

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends everything queued so far, waiting at most `timeout` seconds. True when nothing
        is left pending."""
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                return self._cond.wait_for(lambda: self._pending == 0, timeout)
            finally:
                self._flushing -= 1

    def close(self, timeout: float = 10.0) -> bool:
        """Flushes (at most `timeout` seconds) and stops the sender. Items still unsent then
        count as failed. Idempotent; called at interpreter exit."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._closing:
                return self._pending == 0
            self._closing = True
            self._cond.notify_all()
            done = self._cond.wait_for(lambda: self._pending == 0, max(0.0, deadline - time.monotonic()))
        if not done:
            self._abort.set()
        self._thread.join(max(0.0, deadline - time.monotonic()) + 1.0)
        atexit.unregister(self._at_exit)
        with self._cond:
            if self._pending:
                self._counts["failed"] += len(self._items)
                self._pending -= len(self._items)
                self._items.clear()
            return self._pending == 0

    def stats(self) -> Stats:
        with self._cond:
            return Stats(
                events_sent=self._counts["events_sent"], labels_sent=self._counts["labels_sent"],
                dropped=self._counts["dropped"], rejected=self._counts["rejected"], failed=self._counts["failed"],
                retries=self._counts["retries"], pending=self._pending,
            )

    def __enter__(self) -> "Monitor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _enqueue(self, kind: str, item: Dict[str, Any]) -> bool:
        try:
            line = json.dumps(item, separators=(",", ":"), allow_nan=False, default=_plain)
        except (TypeError, ValueError) as e:
            with self._cond:
                self._counts["rejected"] += 1
            logger.warning("model_exporter_client: %s not sent, it is not JSON: %s", kind[:-1], e)
            return False
        with self._cond:
            if self._closing or len(self._items) >= self.max_queue:
                self._counts["dropped"] += 1
                return False
            self._items.append((time.monotonic(), kind, line))
            self._pending += 1
            # Wake the sender for a full batch, and for the first item (to start its timer).
            if len(self._items) >= self.batch_size or len(self._items) == 1:
                self._cond.notify_all()
        return True

    # -- the sender thread ------------------------------------------------------------------

    def _start_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name="model-exporter-client", daemon=True)
        self._thread.start()

    def _after_fork(self) -> None:
        # A forked child (gunicorn, multiprocessing) has the queue but not the thread.
        self._cond = threading.Condition()
        self._items.clear()
        self._pending = 0
        self._flushing = 0
        if not self._closing:
            self._start_thread()

    def _next_batch(self) -> Optional[List[Tuple[float, str, str]]]:
        with self._cond:
            while True:
                if self._abort.is_set():
                    return None
                n = len(self._items)
                if n >= self.batch_size or (n and (self._flushing or self._closing)):
                    break
                if n:
                    wait = self._items[0][0] + self.flush_interval - time.monotonic()
                    if wait <= 0:
                        break
                elif self._closing:
                    return None
                else:
                    wait = None
                self._cond.wait(wait)
            return [self._items.popleft() for _ in range(min(n, self.batch_size))]

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                # One request per kind, events first: every label's event then went out in this
                # batch or an earlier one.
                for kind in (_EVENTS, _LABELS):
                    lines = [line for _, k, line in batch if k == kind]
                    if lines:
                        self._post(kind, lines)
            except Exception:  # never let the sender die
                logger.exception("model_exporter_client: unexpected failure while sending")
                with self._cond:
                    self._counts["failed"] += len(batch)
            finally:
                with self._cond:
                    self._pending -= len(batch)
                    self._cond.notify_all()

    def _post(self, kind: str, lines: List[str], resent: bool = False) -> None:
        body = ("\n".join(lines) + "\n").encode()
        attempt = 0
        while True:
            status, answer = self._request(kind, body)
            if status is not None and 200 <= status < 300:
                self._count(kind + "_sent", len(lines))
                return
            retryable = status is None or status >= 500 or status in _RETRYABLE_4XX
            if not retryable:
                self._rejected(kind, lines, status, answer, resent)
                return
            if attempt >= self.max_retries or self._abort.is_set():
                self._count("failed", len(lines))
                logger.warning(
                    "model_exporter_client: %d %s not delivered to %s after %d retries: %s",
                    len(lines), kind, self.url, attempt, answer,
                )
                return
            delay = min(self.max_backoff, self.backoff * (2 ** attempt)) * random.uniform(0.5, 1.0)
            attempt += 1
            self._count("retries", 1)
            if self._abort.wait(delay):
                self._count("failed", len(lines))
                return

    def _request(self, kind: str, body: bytes) -> Tuple[Optional[int], str]:
        """(status, body text); status None for a connection failure, with its reason."""
        request = urllib.request.Request(f"{self.url}/api/v1/{kind}", data=body, method="POST", headers=self._headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self._ssl_context) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            try:
                text = e.read().decode("utf-8", "replace")
            except Exception:
                text = ""
            return e.code, text
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            return None, str(getattr(e, "reason", e))

    def _rejected(self, kind: str, lines: List[str], status: int, answer: str, resent: bool) -> None:
        try:
            parsed = json.loads(answer)
        except ValueError:
            parsed = {}
        if not isinstance(parsed, dict):
            parsed = {}
        error = str(parsed.get("error") or answer.strip() or f"HTTP {status}")
        problems = parsed.get("problems")
        problems = [p for p in problems if isinstance(p, dict)] if isinstance(problems, list) else []
        bad = {p["index"] for p in problems if isinstance(p.get("index"), int) and 0 <= p["index"] < len(lines)}
        # The exporter listed every bad item: send the others again, once.
        retry_rest = status == 400 and bad and not parsed.get("more") and not resent
        dropped = len(bad) if retry_rest else len(lines)
        self._count("rejected", dropped)
        items = [json.loads(line) for line in lines]
        self._report(Rejection(status=status, endpoint=kind, error=error, problems=problems, dropped=dropped, items=items))
        if retry_rest:
            rest = [line for i, line in enumerate(lines) if i not in bad]
            if rest:
                self._post(kind, rest, resent=True)

    def _report(self, rejection: Rejection) -> None:
        self.last_rejection = rejection
        if self.on_rejected is None:
            logger.warning(
                "model_exporter_client: the exporter refused %d of the %s (HTTP %d): %s; problems: %s",
                rejection.dropped, rejection.endpoint, rejection.status, rejection.error,
                json.dumps(rejection.problems),
            )
            return
        try:
            self.on_rejected(rejection)
        except Exception:
            logger.exception("model_exporter_client: on_rejected raised")

    def _count(self, key: str, n: int) -> None:
        with self._cond:
            self._counts[key] += n


def _finite_or_none(value: Any) -> Any:
    """NaN and infinities are not JSON; the exporter reads a missing value as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _plain(value: Any) -> Any:
    """numpy scalars and arrays, without importing numpy."""
    if hasattr(value, "item") and callable(value.item):
        return _finite_or_none(value.item())
    if hasattr(value, "tolist") and callable(value.tolist):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
