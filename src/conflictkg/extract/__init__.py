"""Extraction pipeline."""
