"""Chaos and resilience harness for AI systems."""

__version__ = "0.1.0"
