"""Helpers shared by every target server: JSON logs, sockets, metrics and the serve loop."""
