"""Job boards: research-role classification, location parsing, and the Greenhouse, Lever and
Ashby ingesters (``greenhouse``, ``lever``, ``ashby``; see docs/plugins/jobboards.md)."""
