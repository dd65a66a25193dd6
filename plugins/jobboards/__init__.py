"""Job-board helpers: research-role classification and location parsing."""
