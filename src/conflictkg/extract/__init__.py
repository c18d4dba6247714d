"""Extraction: articles in, claims, events and actors out, as a pipeline of ``doc -> doc`` components."""

from __future__ import annotations

from .doc import Doc, Resources
from .pipeline import DEFAULT_PIPELINE, Pipeline, analyse

__all__ = ["Doc", "Resources", "Pipeline", "DEFAULT_PIPELINE", "analyse", "load_resources"]


def load_resources() -> Resources:
    """The default rules and dictionary, validated."""
    from ..countries import load_countries
    from ..dictionary import load_dictionary
    from ..gazetteer import Gazetteer, NameRules
    from ..rules import load_rules

    rules, dictionary, countries = load_rules(), load_dictionary(), load_countries()
    gazetteer = Gazetteer(NameRules.from_rules(rules.place_names), curated=dictionary.places.values(), countries=countries)
    return Resources(rules=rules, dictionary=dictionary, gazetteer=gazetteer, countries=countries)
