"""Ensemble's wire schemas; the generated modules are in ensemble.v2."""
