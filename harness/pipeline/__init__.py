"""The harness's side of the data pipeline: the record feed, ingest corruption, the audit run."""
