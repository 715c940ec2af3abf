"""The Kinesis API client the source uses, on the driver and on executors: a boto3 client, and the backoff
that answers Kinesis throttling.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def _is_local(endpoint: str | None) -> bool:
    return endpoint is not None and any(host in endpoint for host in ("127.0.0.1", "localhost", "[::1]"))


def kinesis_client(endpoint_url: str | None, region: str) -> Any:
    """A boto3 Kinesis client; a local endpoint (kinesalite) gets static dummy credentials."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=30)
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    if _is_local(endpoint_url):
        kwargs["aws_access_key_id"] = "local"
        kwargs["aws_secret_access_key"] = "local"
    return boto3.client("kinesis", **kwargs)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter for Kinesis throttling (ProvisionedThroughputExceeded,
    LimitExceeded), which AWS documents as the answer to those errors:
    https://docs.aws.amazon.com/streams/latest/dev/troubleshooting-consumers.html
    (a shard serves 5 GetRecords calls and 2 MB per second).
    https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html"""

    base_s: float = 0.2
    cap_s: float = 5.0
    attempts: int = 12
    sleep: Callable[[float], None] = time.sleep

    def call(self, client: Any, operation: Callable[[], T]) -> T:
        throttled = (client.exceptions.ProvisionedThroughputExceededException, client.exceptions.LimitExceededException)
        for attempt in range(self.attempts):
            try:
                return operation()
            except throttled:
                if attempt == self.attempts - 1:
                    raise
                self.sleep(random.uniform(0, min(self.cap_s, self.base_s * 2**attempt)))
        raise AssertionError("unreachable")
