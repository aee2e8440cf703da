"""Scoring a batch: from the records reading produced to a BatchResult."""

from flowscore.scoring.batch import score, unit_values

__all__ = ["score", "unit_values"]
