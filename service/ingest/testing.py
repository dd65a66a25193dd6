"""Test helpers for plugin authors (a pytest plugin)."""
