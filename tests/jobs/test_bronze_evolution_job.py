"""The bronze job running continuously on kinesalite, never restarted, while the subject evolves: v2 records
flow, v3 is registered and produced, and bronze.trades gains `venue` with every record exactly once; then a
version Delta cannot take additively stops the job with one line naming the column, writing nothing."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from pyspark.sql import SparkSession
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from apicurio_server import ApicurioRegistry
from kinesalite_server import Kinesalite, put_all
from streamsoft_jobs.args import parse_job_args
from streamsoft_jobs.bronze_config import BronzeJobConfig
from streamsoft_jobs.bronze_job import run_bronze_job
from streamsoft_jobs.lake import table_path
from test_bronze_evolution import TRADE_NONE, TRADE_V3, TRADE_V5, framed, v3_trade
from trade_frames import SCHEMAS, V2_ID, frame, trade


@pytest.fixture(scope="module")
def kinesalite() -> Iterator[Kinesalite]:
    server = Kinesalite()
    yield server
    server.stop()


def wait_until(condition: Callable[[], bool], failed: Callable[[], BaseException | None], timeout_s: float = 240.0) -> None:
    """Waits for the running job to have done something (it is a separate thread: nothing to drive)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        error = failed()
        if error is not None:
            raise AssertionError(f"the bronze job failed: {error}")
        assert time.monotonic() < deadline, "the bronze job did not get there in time"
        time.sleep(0.5)


def rows_of(lake: str, table: str = "trades") -> list[dict[str, Any]]:
    try:
        rows: list[dict[str, Any]] = DeltaTable(table_path(lake, "bronze", table)).to_pyarrow_table().to_pylist()
        return rows
    except TableNotFoundError:  # the job has not created it yet
        return []


def test_the_running_job_follows_the_registry_to_v3(
    spark: SparkSession, tmp_lake: str, tmp_path: Path, kinesalite: Kinesalite, registry: ApicurioRegistry
) -> None:
    stream = f"trades-{uuid.uuid4().hex[:8]}"
    kinesalite.create_stream(stream, 1)
    # the real registry (Apicurio): the job follows the subject's latest version and reads writers by id
    subject = f"{stream}-value"
    v2_id = registry.register(subject, SCHEMAS[V2_ID])
    job = BronzeJobConfig.from_args(
        parse_job_args(
            [
                "--JOB_NAME", "bronze-evolution-job",
                "--source", "kinesis",
                "--stream-name", stream,
                "--kinesis-endpoint", kinesalite.endpoint,
                "--registry-url", registry.url,
                "--lake-path", tmp_lake,
                "--checkpoint-path", str(tmp_path / "checkpoint"),
                "--trigger-seconds", "1",
                "--compact-every-minutes", "0",
            ]
        )
    )  # fmt: skip
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_bronze_job(spark, job, stop)
        except BaseException as error:  # noqa: BLE001 (handed to the test thread)
            errors.append(error)

    runner = threading.Thread(target=run, name="bronze-job", daemon=True)
    runner.start()
    failed = lambda: errors[0] if errors else None  # noqa: E731
    try:
        client = kinesalite.client()
        put_all(client, stream, [(f"a{i}", frame(trade(i, 2), v2_id, SCHEMAS[V2_ID])) for i in range(20)])
        wait_until(lambda: len(rows_of(tmp_lake)) == 20, failed)

        # v3 becomes the subject's latest, and one writer that cannot be read into it is registered elsewhere
        # (as under compatibility NONE); v2 and v3 producers write at the same time
        v3_id = registry.register(subject, TRADE_V3)
        none_id = registry.register(f"{stream}-none-value", TRADE_NONE)
        mixed = []
        for i in range(30):
            mixed.append((f"b{i}", frame(trade(100 + i, 2), v2_id, SCHEMAS[V2_ID])))
            mixed.append((f"c{i}", framed(v3_trade(200 + i), TRADE_V3, v3_id)))
        mixed.append(("bad", framed({**trade(999, 2), "price": 1.5}, TRADE_NONE, none_id)))
        put_all(client, stream, mixed)
        wait_until(lambda: len(rows_of(tmp_lake)) == 80, failed)
        wait_until(lambda: len(rows_of(tmp_lake, "trades_quarantine")) == 1, failed)

        rows = rows_of(tmp_lake)
        assert len({r["operation_id"] for r in rows}) == 80  # exactly once
        venue = {r["operation_id"]: r["venue"] for r in rows}
        assert all(venue[trade(i, 2)["operation_id"]] is None for i in range(20))
        assert all(venue[trade(100 + i, 2)["operation_id"]] is None for i in range(30))
        assert all(venue[v3_trade(200 + i)["operation_id"]] == f"VENUE{200 + i}" for i in range(30))
        assert rows_of(tmp_lake, "trades_quarantine")[0]["reason"] == "incompatible_schema"

        # v5 would retype quantity: the job stops, naming the column, and writes nothing
        v5_id = registry.register(subject, TRADE_V5)
        version = DeltaTable(table_path(tmp_lake, "bronze", "trades")).version()
        put_all(client, stream, [("d", framed({**v3_trade(400), "desk": None, "quantity": 2.0}, TRADE_V5, v5_id))])
        runner.join(240)
        assert not runner.is_alive()
    finally:
        stop.set()
        runner.join(120)
    [error] = errors
    assert str(error).splitlines()[0].startswith("bronze.trades: column quantity is bigint in the table but double")
    assert DeltaTable(table_path(tmp_lake, "bronze", "trades")).version() == version
