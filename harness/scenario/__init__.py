"""Scenario files: typed model, YAML loader with file:line:col errors, and the run plan."""
