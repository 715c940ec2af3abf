"""A real single-node Kafka broker (KRaft) from the jars `streamsoft setup` fetched, on free loopback ports,
for the jobs tests; the same settings as the project's stand-in (local/services/kafka.ts)."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from kinesalite_server import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_JARS = REPO_ROOT / ".tools" / "jars" / "kafka"
LOG4J = REPO_ROOT / "local" / "jvm" / "kafka" / "log4j2.properties"


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise RuntimeError("java not found: the Kafka broker needs Java >= 17")
    return found


class KafkaBroker:
    def __init__(self) -> None:
        if not KAFKA_JARS.is_dir():
            raise RuntimeError(f"no Kafka jars in {KAFKA_JARS}: run `npx streamsoft setup` first")
        self.dir = Path(tempfile.mkdtemp(prefix="kafka-broker-"))
        self.port = free_port()
        controller = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        properties = self.dir / "server.properties"
        properties.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{controller}",
                    f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{controller}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={self.dir / 'logs'}",
                    "num.partitions=2",
                    "auto.create.topics.enable=true",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                ]
            )
            + "\n"
        )
        jvm = [
            _java(),
            "-Xms128m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J}",
            "-cp",
            str(KAFKA_JARS / "*"),
        ]
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        self.log = open(self.dir / "broker.log", "wb")  # noqa: SIM115 (closed in stop)
        subprocess.run(
            [*jvm, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(properties)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=120,
        )
        self.process = subprocess.Popen([*jvm, "kafka.Kafka", str(properties)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Kafka broker exited: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the Kafka broker did not listen in time: {self.log_tail()}") from None
                time.sleep(0.2)

    def log_tail(self) -> str:
        self.log.flush()
        return (self.dir / "broker.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
