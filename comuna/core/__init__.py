"""The pure core of Comuna.

No Django, no I/O, no clock, no global random state: plain typed values in, result objects
with their own audit trail out. ``tests/core/test_purity.py`` enforces the import rule.
"""
