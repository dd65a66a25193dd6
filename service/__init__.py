"""Talentflow: where AI researchers work and when they move, with evidence for every move."""

__version__ = "0.1.0"
