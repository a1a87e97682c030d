"""Scores and verdicts, computed from samples and events only."""
