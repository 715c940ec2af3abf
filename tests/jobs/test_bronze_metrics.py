"""The bronze job's CloudWatch metrics: progress JSON → datums (pure), publishing that never fails the
stream, and the job argument that turns publishing on."""

from __future__ import annotations

import datetime as dt
import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from streamsoft_jobs.args import parse_job_args
from streamsoft_jobs.bronze_config import BronzeConfig
from streamsoft_jobs.bronze_query import metrics_listener
from streamsoft_jobs.bronze_metrics import BronzeMetricsListener, CloudWatchPublisher, progress_metrics

# The shape of StreamingQueryProgress.json in Spark 4.1 (trimmed to the fields that matter here); the Kafka
# source's metrics map holds strings, as KafkaMicroBatchStream.metrics reports them.
KAFKA_PROGRESS: dict[str, Any] = {
    "id": "5f0c8b0e-0c1e-4a43-9e7b-2f4a1d0d7a11",
    "runId": "9a4f3c1d-7a1e-4c55-8f0e-4d2b9f1f6b22",
    "name": "streamsoft-dev-bronze-kafka",
    "timestamp": "2026-11-28T09:00:00.250Z",
    "batchId": 42,
    "batchDuration": 1834,
    "numInputRows": 5000,
    "inputRowsPerSecond": 166.6,
    "processedRowsPerSecond": 2726.3,
    "durationMs": {"addBatch": 1500, "latestOffset": 12, "triggerExecution": 1834},
    "sources": [
        {
            "description": "KafkaV2[Subscribe[trades]]",
            "startOffset": {"trades": {"0": 1000, "1": 1200}},
            "endOffset": {"trades": {"0": 3500, "1": 3700}},
            "latestOffset": {"trades": {"0": 4700, "1": 3700}},
            "numInputRows": 5000,
            "metrics": {
                "avgOffsetsBehindLatest": "600.0",
                "maxOffsetsBehindLatest": "1200",
                "minOffsetsBehindLatest": "0",
            },
        }
    ],
    "sink": {"description": "ForeachBatchSink", "numOutputRows": -1},
}

KINESIS_PROGRESS: dict[str, Any] = {
    **KAFKA_PROGRESS,
    "name": "streamsoft-dev-bronze-kinesis",
    "batchDuration": 950,
    "numInputRows": 120,
    "sources": [
        {
            "description": "PythonMicroBatchStreamWithAdmissionControl",
            "startOffset": {"shards": {}},
            "endOffset": {"shards": {}},
            "latestOffset": None,
            "numInputRows": 120,
            "metrics": {},
        }
    ],
}

WHEN = dt.datetime(2026, 11, 28, 9, 0, 0, 250000, tzinfo=dt.timezone.utc)


def by_name(datums: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["MetricName"]: d for d in datums}


def test_kafka_progress_gives_duration_rows_and_offsets_behind_latest() -> None:
    datums = by_name(progress_metrics(KAFKA_PROGRESS, "streamsoft-dev-bronze-kafka", "kafka"))
    assert {name: (d["Value"], d["Unit"]) for name, d in datums.items()} == {
        "BatchDurationMs": (1834.0, "Milliseconds"),
        "InputRows": (5000.0, "Count"),
        "MaxOffsetsBehindLatest": (1200.0, "Count"),
        "AvgOffsetsBehindLatest": (600.0, "Count"),
    }
    for d in datums.values():
        assert d["Dimensions"] == [
            {"Name": "JobName", "Value": "streamsoft-dev-bronze-kafka"},
            {"Name": "Source", "Value": "kafka"},
        ]
        assert d["Timestamp"] == WHEN


def test_kinesis_progress_has_no_lag_metric() -> None:
    datums = by_name(progress_metrics(KINESIS_PROGRESS, "streamsoft-dev-bronze-kinesis", "kinesis"))
    assert {name: d["Value"] for name, d in datums.items()} == {"BatchDurationMs": 950.0, "InputRows": 120.0}
    assert datums["InputRows"]["Dimensions"][1] == {"Name": "Source", "Value": "kinesis"}


def test_empty_batch_reports_zero_rows_and_a_caught_up_source() -> None:
    empty = {
        **KAFKA_PROGRESS,
        "batchDuration": 35,
        "numInputRows": 0,
        "sources": [
            {
                **KAFKA_PROGRESS["sources"][0],
                "numInputRows": 0,
                "metrics": {"avgOffsetsBehindLatest": "0.0", "maxOffsetsBehindLatest": "0", "minOffsetsBehindLatest": "0"},
            }
        ],
    }
    datums = by_name(progress_metrics(empty, "j", "kafka"))
    assert {name: d["Value"] for name, d in datums.items()} == {
        "BatchDurationMs": 35.0,
        "InputRows": 0.0,
        "MaxOffsetsBehindLatest": 0.0,
        "AvgOffsetsBehindLatest": 0.0,
    }


def test_missing_or_unreadable_values_are_left_out() -> None:
    odd = {"name": "j", "timestamp": "not a time", "numInputRows": 3, "sources": [{"metrics": {"maxOffsetsBehindLatest": "NaN"}}]}
    datums = progress_metrics(odd, "j", "kafka")
    assert [(d["MetricName"], d["Value"]) for d in datums] == [("InputRows", 3.0)]
    assert "Timestamp" not in datums[0]


class FailingClient:
    def __init__(self) -> None:
        self.calls = 0

    def put_metric_data(self, **_kwargs: Any) -> None:
        self.calls += 1
        raise ConnectionError("endpoint unreachable\nsecond line of detail")


def test_a_failed_publish_logs_one_line_and_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    client = FailingClient()
    publisher = CloudWatchPublisher("StreamSoft/Bronze", client)
    datums = progress_metrics(KAFKA_PROGRESS, "j", "kafka")
    with caplog.at_level(logging.WARNING, logger="streamsoft_jobs.bronze_metrics"):
        assert publisher.publish(datums) is False
        assert publisher.publish(datums) is False
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "could not publish 4 metric(s) to CloudWatch namespace StreamSoft/Bronze: endpoint unreachable"
    ] * 2
    assert client.calls == 2 and publisher.failures == 2


def progress_event(progress: dict[str, Any]) -> Any:
    return SimpleNamespace(progress=SimpleNamespace(json=json.dumps(progress)))


def test_listener_publishes_only_its_own_query_and_survives_bad_events(caplog: pytest.LogCaptureFixture) -> None:
    published: list[list[dict[str, Any]]] = []
    listener = BronzeMetricsListener("streamsoft-dev-bronze-kafka", "kafka", published.append)
    listener.onQueryProgress(progress_event(KAFKA_PROGRESS))
    listener.onQueryProgress(progress_event({**KAFKA_PROGRESS, "name": "another-query"}))
    with caplog.at_level(logging.WARNING, logger="streamsoft_jobs.bronze_metrics"):
        listener.onQueryProgress(SimpleNamespace(progress=SimpleNamespace(json="{not json")))
    assert len(published) == 1 and len(published[0]) == 4
    assert any("progress event not published" in r.getMessage() for r in caplog.records)


BASE = ["--lake-path", "/lake", "--checkpoint-path", "/ck", "--registry-url", "http://127.0.0.1:1/r"]


def test_publishing_is_off_without_a_namespace() -> None:
    config = BronzeConfig.from_args(parse_job_args(BASE))
    assert config.cloudwatch_namespace is None and metrics_listener(config) is None
    on = BronzeConfig.from_args(
        parse_job_args([*BASE, "--cloudwatch-namespace", "StreamSoft/Bronze", "--cloudwatch-endpoint", "aws"])
    )
    assert (on.cloudwatch_namespace, on.cloudwatch_endpoint) == ("StreamSoft/Bronze", None)
    assert isinstance(metrics_listener(on), BronzeMetricsListener)
