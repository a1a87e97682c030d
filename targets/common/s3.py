"""boto3 S3 clients for the reference stack's object stores (moto): path style, fast failure."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

__all__ = ["BUCKETS", "QUARANTINE_BUCKET", "RECORDS_BUCKET", "REGISTRY_BUCKET", "client"]

RECORDS_BUCKET = "records"  # accepted batches
REGISTRY_BUCKET = "registry"  # published models and latest.json
QUARANTINE_BUCKET = "quarantine"  # rejected lines
BUCKETS = (RECORDS_BUCKET, REGISTRY_BUCKET, QUARANTINE_BUCKET)  # every store creates them
# moto accepts any credentials; real ones must never be picked up from the environment.
_CREDENTIALS = {"aws_access_key_id": "harness", "aws_secret_access_key": "harness"}


def client(url: str, region: str, timeout_s: float = 2.0) -> Any:
    """Return an S3 client for the store at `url` (no retries: failures must show, not hide).

    urllib3, under botocore, sets TCP_NODELAY on its sockets by default."""
    config = Config(
        s3={"addressing_style": "path"},
        connect_timeout=timeout_s,
        read_timeout=timeout_s,
        retries={"max_attempts": 1, "mode": "standard"},
        tcp_keepalive=True,
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=url, region_name=region or "us-east-1", config=config, **_CREDENTIALS
    )
