"""Where the Kinesis reader's executors record the end of each shard's read in each micro-batch, write-once.

A local folder (`os.link` fails when the name exists, so the first writer wins) or `s3://bucket/prefix`
(a conditional PUT with `If-None-Match: *`, which S3 refuses with 412 when the key exists:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
Layout: `<root>/<run>/<plan>/<shardId>.json`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse


class ShardEndStore(Protocol):
    def get(self, plan: int, shard_id: str) -> dict[str, Any] | None: ...

    def put_if_absent(self, plan: int, shard_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        """Writes `entry` unless an entry exists; returns the stored entry (ours, or the earlier one)."""
        ...

    def remove_before(self, plan: int) -> None: ...


class LocalShardEnds:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, plan: int, shard_id: str) -> Path:
        return self.root / str(plan) / f"{shard_id}.json"

    def get(self, plan: int, shard_id: str) -> dict[str, Any] | None:
        try:
            end: dict[str, Any] = json.loads(self._path(plan, shard_id).read_text(encoding="utf-8"))
            return end
        except FileNotFoundError:
            return None

    def put_if_absent(self, plan: int, shard_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        path = self._path(plan, shard_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entry, out)
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                stored = self.get(plan, shard_id)
                assert stored is not None
                return stored
            return entry
        finally:
            os.unlink(tmp)

    def remove_before(self, plan: int) -> None:
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.name.isdigit() and int(folder.name) < plan:
                for file in folder.iterdir():
                    file.unlink(missing_ok=True)
                folder.rmdir()


class S3ShardEnds:
    def __init__(self, bucket: str, prefix: str, region: str, client: Any = None) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client if client is not None else boto3.client("s3", region_name=region)

    def _key(self, plan: int, shard_id: str) -> str:
        return f"{self.prefix}/{plan}/{shard_id}.json"

    def get(self, plan: int, shard_id: str) -> dict[str, Any] | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(plan, shard_id))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None
        end: dict[str, Any] = json.loads(body)
        return end

    def put_if_absent(self, plan: int, shard_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(plan, shard_id), Body=json.dumps(entry).encode(), IfNoneMatch="*"
            )
            return entry
        except ClientError as error:
            # 412: the key exists; 409: a concurrent conditional write to the same key is in progress
            if error.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise
        stored = self.get(plan, shard_id)
        if stored is None:
            raise RuntimeError(f"s3://{self.bucket}/{self._key(plan, shard_id)}: conflicting write left no object")
        return stored

    def remove_before(self, plan: int) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        stale: list[dict[str, str]] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}/"):
            for item in page.get("Contents", []):
                folder = item["Key"][len(self.prefix) + 1 :].split("/", 1)[0]
                if folder.isdigit() and int(folder) < plan:
                    stale.append({"Key": item["Key"]})
        for i in range(0, len(stale), 1000):
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": stale[i : i + 1000], "Quiet": True})


def shard_end_store(root: str, run: str, region: str) -> ShardEndStore:
    """The store for one query run under `root`: a local folder, `file://` URI, or `s3://bucket/prefix`."""
    parsed = urlparse(root)
    if parsed.scheme in ("s3", "s3a"):
        return S3ShardEnds(parsed.netloc, f"{parsed.path.strip('/')}/{run}".strip("/"), region)
    if parsed.scheme == "file":
        return LocalShardEnds(Path(parsed.path) / run)
    if parsed.scheme not in ("",) and len(parsed.scheme) > 1:
        raise ValueError(f"metadataPath: expected a local folder, file:// or s3:// URI (got {root!r})")
    return LocalShardEnds(Path(root) / run)
