"""Extraction: articles in, claims, events and actors out, as a pipeline of ``doc -> doc`` components."""

from __future__ import annotations

from .doc import Doc, Resources
from .pipeline import DEFAULT_PIPELINE, Pipeline, analyse

__all__ = ["Doc", "Resources", "Pipeline", "DEFAULT_PIPELINE", "analyse", "load_resources"]


def load_resources() -> Resources:
    """The default rules and dictionary, validated."""
    from ..dictionary import load_dictionary
    from ..rules import load_rules

    return Resources(rules=load_rules(), dictionary=load_dictionary())
