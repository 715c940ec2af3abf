"""A real kinesalite (the npm package the project installs) on a free loopback port, for the jobs tests."""

from __future__ import annotations

import re
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
KINESALITE_SERVER = REPO_ROOT / "local" / "services" / "kinesalite-server.cjs"
LISTENING = re.compile(r"kinesalite listening at http://127\.0\.0\.1:(\d+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Kinesalite:
    def __init__(self) -> None:
        # Port 0: kinesalite binds a free port itself and names it in its first line, so no other process
        # can take the port between choosing and binding it. The launcher binds 127.0.0.1 only; its output
        # goes to a file so a full pipe never blocks it.
        self.log = tempfile.NamedTemporaryFile(prefix="kinesalite-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            ["node", str(KINESALITE_SERVER), "--host", "127.0.0.1", "--port", "0"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while (match := LISTENING.search(Path(self.log.name).read_text())) is None:
            self._check_running()
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("kinesalite did not start listening within 30 s")
            time.sleep(0.05)
        self.port = int(match.group(1))
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def client(self) -> Any:
        from streamsoft_jobs.kinesis_api import kinesis_client

        return kinesis_client(self.endpoint, "us-east-1")

    def _check_running(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"kinesalite exited (code {self.process.returncode}): {Path(self.log.name).read_text()[-2000:]}"
            )

    def create_stream(self, name: str, shards: int) -> None:
        self._check_running()
        client = self.client()
        client.create_stream(StreamName=name, ShardCount=shards)
        wait_active(client, name)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def wait_active(client: Any, name: str) -> None:
    deadline = time.monotonic() + 30
    while client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise TimeoutError(f"stream {name} did not become ACTIVE")
        time.sleep(0.05)


def put_all(client: Any, stream: str, records: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """PutRecords in chunks of 500; returns one {shard, sequence} per record, in order. Fails on any rejection."""
    acked: list[dict[str, Any]] = []
    for i in range(0, len(records), 500):
        chunk = records[i : i + 500]
        response = client.put_records(
            StreamName=stream, Records=[{"PartitionKey": key, "Data": data} for key, data in chunk]
        )
        assert response.get("FailedRecordCount", 0) == 0, response
        acked.extend({"shard": r["ShardId"], "sequence": r["SequenceNumber"]} for r in response["Records"])
    return acked
