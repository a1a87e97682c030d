"""One region's object store as the pipeline uses it: put, get, delete, list (blocking boto3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from targets.common import s3 as s3lib
from targets.pipeline.keys import RECORDS

__all__ = ["Store"]


@dataclass
class Store:
    """A store of one region. Every call blocks: run it on a worker thread, never on the loop."""

    region: str
    url: str
    timeout_s: float = 2.0
    s3: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # boto3 clients are thread-safe; sessions are not, and s3lib.client makes its own.
        self.s3 = s3lib.client(self.url, self.region, self.timeout_s)

    def ping(self) -> None:
        """Raise unless the store answers and has the records bucket."""
        self.s3.head_bucket(Bucket=RECORDS)

    def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        """Write one object."""
        self.s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)

    def get(self, bucket: str, key: str) -> bytes:
        """Read one object's bytes (a missing key raises)."""
        data: bytes = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return data

    def delete(self, bucket: str, key: str) -> None:
        """Delete one object (absent is fine)."""
        self.s3.delete_object(Bucket=bucket, Key=key)

    def listing(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """Every key under `prefix` with its ETag."""
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return {obj["Key"]: obj["ETag"] for page in pages for obj in page.get("Contents", ())}
