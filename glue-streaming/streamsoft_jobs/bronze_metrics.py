"""The bronze job's own CloudWatch metrics, published from each streaming progress event.

Spark's Kafka source never commits offsets to a consumer group, so MSK has no consumer lag for the job,
and Glue publishes its streaming batch metrics only for GlueContext.forEachBatch, which the job does not
use. So the job reports what the alarms need itself: batch duration, input rows and, for Kafka, the
offsets behind latest that Spark's Kafka source puts in `progress.sources[i].metrics`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Any, Callable, Mapping, Sequence

from pyspark.sql.streaming.listener import StreamingQueryListener

log = logging.getLogger(__name__)

BATCH_DURATION = "BatchDurationMs"
INPUT_ROWS = "InputRows"
MAX_OFFSETS_BEHIND = "MaxOffsetsBehindLatest"
AVG_OFFSETS_BEHIND = "AvgOffsetsBehindLatest"
# put_metric_data accepts up to 1000 datums per call; a progress event yields at most four.
_MAX_DATUMS_PER_CALL = 1000


def _number(value: Any) -> float | None:
    """A progress value as a float; Spark gives source metrics as strings ("12", "3.5")."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _timestamp(progress: Mapping[str, Any]) -> dt.datetime | None:
    raw = progress.get("timestamp")
    if not isinstance(raw, str):
        return None
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def progress_metrics(progress: Mapping[str, Any], job_name: str, source: str) -> list[dict[str, Any]]:
    """CloudWatch datums (put_metric_data's MetricData) for one StreamingQueryProgress as parsed JSON.

    Every progress gives the batch duration and the input rows (0 for an empty batch); a Kafka source
    also gives the largest and the average number of offsets its partitions are behind the latest
    offset after the batch. Values that are missing or not numbers are left out rather than guessed.
    """
    dimensions = [{"Name": "JobName", "Value": job_name}, {"Name": "Source", "Value": source}]
    when = _timestamp(progress)

    def datum(name: str, value: float, unit: str) -> dict[str, Any]:
        d: dict[str, Any] = {"MetricName": name, "Dimensions": dimensions, "Value": value, "Unit": unit}
        if when is not None:
            d["Timestamp"] = when
        return d

    datums: list[dict[str, Any]] = []
    duration = _number(progress.get("batchDuration"))
    if duration is not None:
        datums.append(datum(BATCH_DURATION, duration, "Milliseconds"))
    rows = _number(progress.get("numInputRows"))
    if rows is not None:
        datums.append(datum(INPUT_ROWS, rows, "Count"))

    sources: Sequence[Mapping[str, Any]] = progress.get("sources") or []
    max_behind: list[float] = []
    avg_behind: list[float] = []
    for src in sources:
        metrics = src.get("metrics") or {}
        value = _number(metrics.get("maxOffsetsBehindLatest"))
        if value is not None:
            max_behind.append(value)
        value = _number(metrics.get("avgOffsetsBehindLatest"))
        if value is not None:
            avg_behind.append(value)
    if max_behind:
        datums.append(datum(MAX_OFFSETS_BEHIND, max(max_behind), "Count"))
    if avg_behind:
        datums.append(datum(AVG_OFFSETS_BEHIND, sum(avg_behind) / len(avg_behind), "Count"))
    return datums


def cloudwatch_client(region: str, endpoint_url: str | None = None) -> Any:
    """A boto3 CloudWatch client that gives up quickly: a slow endpoint must not back up Spark's listener bus."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=10)
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
        if any(host in endpoint_url for host in ("127.0.0.1", "localhost", "[::1]")):
            kwargs["aws_access_key_id"] = "local"
            kwargs["aws_secret_access_key"] = "local"
    return boto3.client("cloudwatch", **kwargs)


class CloudWatchPublisher:
    """Sends datums with put_metric_data; a failure is logged (one line per failed call) and swallowed."""

    def __init__(self, namespace: str, client: Any) -> None:
        self.namespace = namespace
        self.client = client
        self.failures = 0

    def publish(self, datums: Sequence[Mapping[str, Any]]) -> bool:
        ok = True
        for i in range(0, len(datums), _MAX_DATUMS_PER_CALL):
            chunk = list(datums[i : i + _MAX_DATUMS_PER_CALL])
            try:
                self.client.put_metric_data(Namespace=self.namespace, MetricData=chunk)
            except Exception as error:  # never let metrics stop the stream
                self.failures += 1
                ok = False
                log.warning(
                    "could not publish %d metric(s) to CloudWatch namespace %s: %s",
                    len(chunk),
                    self.namespace,
                    str(error).splitlines()[0] if str(error) else type(error).__name__,
                )
        return ok


class BronzeMetricsListener(StreamingQueryListener):
    """Publishes `progress_metrics` of every progress event of the query named `query_name` (default
    `job_name`), under the dimensions JobName=`job_name` and Source=`source`.

    Spark delivers listener events asynchronously, so the job waits (`wait_until_handled`) for the last
    batch's event before it removes the listener; otherwise a stopping job would drop its last datums.
    """

    def __init__(
        self,
        job_name: str,
        source: str,
        publish: Callable[[list[dict[str, Any]]], Any],
        query_name: str | None = None,
    ) -> None:
        self.job_name = job_name
        self.query_name = query_name or job_name
        self.source = source
        self.publish = publish
        self._handled: dict[str, int] = {}  # run id -> highest batch id handled
        self._changed = threading.Condition()

    def wait_until_handled(self, run_id: str, batch_id: int, timeout_s: float) -> bool:
        """True once the progress event of (run_id, batch_id), or a later one, has been handled."""
        with self._changed:
            return self._changed.wait_for(lambda: self._handled.get(run_id, -1) >= batch_id, timeout_s)

    def onQueryStarted(self, event: Any) -> None:  # noqa: N802 (Spark's listener API)
        return

    def onQueryProgress(self, event: Any) -> None:  # noqa: N802
        try:
            progress = json.loads(event.progress.json)
            if progress.get("name") != self.query_name:
                return
            datums = progress_metrics(progress, self.job_name, self.source)
            if datums:
                self.publish(datums)
            self._mark_handled(str(progress.get("runId")), progress.get("batchId"))
        except Exception as error:  # a listener error must not reach Spark's listener bus
            log.warning("bronze metrics: progress event not published: %s", error)

    def _mark_handled(self, run_id: str, batch_id: Any) -> None:
        if not isinstance(batch_id, int):
            return
        with self._changed:
            self._handled[run_id] = max(batch_id, self._handled.get(run_id, -1))
            self._changed.notify_all()

    def onQueryIdle(self, event: Any) -> None:  # noqa: N802
        return

    def onQueryTerminated(self, event: Any) -> None:  # noqa: N802
        return
