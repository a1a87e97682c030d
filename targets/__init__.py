"""Reference AI stack under test: model build, inference server and gateway (no harness imports)."""
