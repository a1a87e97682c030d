"""Spot capacity at run time: cloud presets, metadata notices, preemption steps, replacements."""
