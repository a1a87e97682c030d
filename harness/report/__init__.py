"""Rendering of results: results.json, report.html (and later junit.xml)."""
