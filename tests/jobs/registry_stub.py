"""An in-process HTTP server speaking the two Confluent registry calls the bronze job makes, for pytest.

The end-to-end tests run the real Apicurio registry; here the jobs tests only need schemas by id and the
latest version of a subject, and a count of requests per id to prove the per-process cache.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Mapping


class RegistryStub:
    def __init__(self, schemas: Mapping[int, Mapping[str, Any]], subjects: Mapping[str, int]) -> None:
        self.schemas = dict(schemas)
        self.subjects = dict(subjects)
        self.requests: Counter[str] = Counter()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                stub.requests[self.path] += 1
                parts = self.path.split("/apis/ccompat/v7", 1)[-1].strip("/").split("/")
                body: dict[str, Any] | None = None
                if len(parts) == 3 and parts[:2] == ["schemas", "ids"] and parts[2].isdigit():
                    schema = stub.schemas.get(int(parts[2]))
                    body = None if schema is None else {"schema": json.dumps(schema)}
                elif len(parts) == 4 and parts[0] == "subjects" and parts[2:] == ["versions", "latest"]:
                    schema_id = stub.subjects.get(parts[1])
                    if schema_id is not None:
                        body = {"subject": parts[1], "version": 1, "id": schema_id, "schema": json.dumps(stub.schemas[schema_id])}
                payload = json.dumps(body if body is not None else {"error_code": 40403, "message": "not found"}).encode()
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/apis/ccompat/v7"
        # the stub ignores the path prefix the real registry has
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def id_requests(self, schema_id: int) -> int:
        return sum(n for path, n in self.requests.items() if path.endswith(f"/schemas/ids/{schema_id}"))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
