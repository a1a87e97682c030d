"""The reference stack's object store: moto's S3 server with probes, buckets and TCP_NODELAY."""
