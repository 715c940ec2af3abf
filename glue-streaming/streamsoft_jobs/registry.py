"""A small client for the Confluent schema-registry REST API (Apicurio's `/apis/ccompat/v7` locally).

Writer schemas are immutable per id, so each id is fetched once per process and cached; Spark reuses its
Python workers, so executors pay one request per id for the life of the job, not per batch.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from typing import Any

import requests

log = logging.getLogger(__name__)


class RegistryUnavailableError(RuntimeError):
    """The registry could not be reached or answered with a server error after all retries."""


class SchemaRegistryClient:
    """GET /schemas/ids/{id} and /subjects/{subject}/versions/latest, with retries on transient errors."""

    def __init__(self, url: str, timeout_s: float = 10.0, attempts: int = 6) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.attempts = attempts
        self._by_id: dict[int, dict[str, Any] | None] = {}
        self._lock = threading.Lock()
        self.requests_made = 0

    def _get(self, path: str) -> requests.Response:
        last_error: Exception | None = None
        for attempt in range(self.attempts):
            try:
                self.requests_made += 1
                response = requests.get(
                    self.url + path,
                    timeout=self.timeout_s,
                    headers={"Accept": "application/vnd.schemaregistry.v1+json, application/json"},
                )
                if response.status_code < 500:
                    return response
                last_error = RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
            except requests.RequestException as error:
                last_error = error
            # exponential backoff with full jitter: 0.2 s, 0.4 s, ... capped at 5 s
            time.sleep(random.uniform(0, min(5.0, 0.2 * 2**attempt)))
        raise RegistryUnavailableError(f"schema registry {self.url}{path} unavailable: {last_error}")

    def schema_by_id(self, schema_id: int) -> dict[str, Any] | None:
        """The writer schema registered under `schema_id`, or None when the registry does not know the id."""
        with self._lock:
            if schema_id in self._by_id and self._by_id[schema_id] is not None:
                return self._by_id[schema_id]
        response = self._get(f"/schemas/ids/{schema_id}")
        if response.status_code == 404:
            # Not cached for good: an id can be registered later; the next batch asks again.
            return None
        if response.status_code != 200:
            raise RegistryUnavailableError(
                f"schema registry answered HTTP {response.status_code} for id {schema_id}: {response.text[:200]}"
            )
        schema: dict[str, Any] = json.loads(response.json()["schema"])
        with self._lock:
            self._by_id[schema_id] = schema
        log.info("fetched writer schema id %d from %s", schema_id, self.url)
        return schema

    def latest_schema(self, subject: str) -> tuple[int, dict[str, Any]]:
        """(id, schema) of the latest version registered under `subject`."""
        response = self._get(f"/subjects/{subject}/versions/latest")
        if response.status_code != 200:
            raise RegistryUnavailableError(
                f"schema registry has no latest version of subject {subject!r} "
                f"(HTTP {response.status_code}: {response.text[:200]})"
            )
        body = response.json()
        return int(body["id"]), json.loads(body["schema"])


_clients: dict[str, SchemaRegistryClient] = {}
_clients_lock = threading.Lock()


def registry_client(url: str) -> SchemaRegistryClient:
    """The per-process client for `url`, so its cache is shared by every task in a reused Python worker."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = SchemaRegistryClient(url)
            _clients[url] = client
        return client
