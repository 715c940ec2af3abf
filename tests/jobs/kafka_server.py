"""The project's own Kafka stand-in (`streamsoft services start --only kafka`, local/services/kafka.ts) in a
throwaway data dir on free loopback ports, for the jobs tests. With `security="tls"` or `"scram"` it also
opens the TLS (and SASL/SCRAM-over-TLS) listener; `listeners` is what `services status --json` lists."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from kinesalite_server import free_port
from services_cli import run_services


class KafkaBroker:
    def __init__(self, security: str = "none") -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kafka-broker-"))
        ports: set[int] = set()
        while len(ports) < 4:
            ports.add(free_port())
        self.port, controller, tls, scram = ports
        self.bootstrap = f"127.0.0.1:{self.port}"
        self._services(
            "start",
            *("--kafka-port", str(self.port), "--kafka-controller-port", str(controller)),
            *("--kafka-security", security, "--kafka-tls-port", str(tls), "--kafka-scram-port", str(scram)),
        )
        status = self._services("status", "--json", "--kafka-port", str(self.port))
        self.listeners: dict[str, dict[str, str]] = {
            listener["name"]: listener for listener in json.loads(status)[0].get("listeners", [])
        }
        settings = (self.dir / "services" / "kafka" / "server.properties").read_text()
        match = re.search(r"^num\.partitions=(\d+)$", settings, re.MULTILINE)
        assert match, "the broker's server.properties sets num.partitions"
        self.partitions = int(match.group(1))  # of each auto-created topic

    def _services(self, action: str, *options: str) -> str:
        return run_services(action, "kafka", self.dir, *options, timeout=180)

    def stop(self) -> None:
        try:
            self._services("stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
