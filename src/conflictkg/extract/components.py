"""Import every component module so they register with the pipeline."""

from . import attribution, claims, clean, dates, events, figures, mentions, places, populations, sentences  # noqa: F401
