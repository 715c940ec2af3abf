"""The project's own Kafka stand-in (`streamsoft services start --only kafka`, local/services/kafka.ts) in a
throwaway data dir on free loopback ports, for the jobs tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from kinesalite_server import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
STREAMSOFT = REPO_ROOT / "bin" / "streamsoft.js"


class KafkaBroker:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kafka-broker-"))
        self.port = free_port()
        controller = free_port()
        while controller == self.port:
            controller = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self._services("start", "--kafka-port", str(self.port), "--kafka-controller-port", str(controller))
        settings = (self.dir / "services" / "kafka" / "server.properties").read_text()
        match = re.search(r"^num\.partitions=(\d+)$", settings, re.MULTILINE)
        assert match, "the broker's server.properties sets num.partitions"
        self.partitions = int(match.group(1))  # of each auto-created topic

    def _services(self, action: str, *options: str) -> None:
        result = subprocess.run(
            ["node", str(STREAMSOFT), "services", action, "--only", "kafka", "--data-dir", str(self.dir), *options],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0:
            logs = "".join(path.read_text(errors="replace")[-1500:] for path in (self.dir / "logs").glob("kafka*"))
            raise RuntimeError(
                f"streamsoft services {action} --only kafka exited {result.returncode}: "
                f"{(result.stderr or result.stdout).strip()[-1000:]}\n{logs}"
            )

    def stop(self) -> None:
        try:
            self._services("stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
