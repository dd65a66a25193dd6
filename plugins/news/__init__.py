"""News ingestion: extraction of researcher moves from article text."""
