"""The project's own schema registry stand-in, Apicurio Registry (`streamsoft services start --only registry`,
local/services/registry.ts), in a throwaway data dir on a free loopback port, for the jobs tests."""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from kinesalite_server import free_port
from services_cli import run_services


class ApicurioRegistry:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="apicurio-"))
        self.port = free_port()
        self._services("start", "--start-timeout", "240")
        status = json.loads(self._services("status", "--json"))
        # the Confluent-compatible API root, as the CLI reports it (the path is core/local-endpoints.ts's)
        self.url: str = status[0]["endpoint"]
        parts = urlsplit(self.url)
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def register(self, subject: str, schema: Mapping[str, Any]) -> int:
        """Registers `schema` under `subject` through the Confluent API; returns the registry's schema id."""
        request = urllib.request.Request(
            f"{self.url}/subjects/{subject}/versions",
            data=json.dumps({"schema": json.dumps(schema)}).encode(),
            headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(json.loads(response.read())["id"])

    def _services(self, action: str, *options: str) -> str:
        return run_services(action, "registry", self.dir, "--registry-port", str(self.port), *options)

    def stop(self) -> None:
        try:
            self._services("stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
