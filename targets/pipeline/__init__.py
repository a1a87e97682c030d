"""The data pipeline of the reference stack: ingest, replicator and retrain (docs/pipeline.md)."""
