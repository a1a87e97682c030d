"""Probes that watch the stack while it runs (gateway state, progress)."""
