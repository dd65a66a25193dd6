"""The plugin API for ingesters (see docs/plugins.md)."""
