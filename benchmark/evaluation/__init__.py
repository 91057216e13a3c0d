"""Evaluation: a trained run -> metrics with the protocol recorded; real reference statistics for generation."""
