"""Spot metadata server: the clouds' spot APIs of one instance, driven by a harness state file."""
