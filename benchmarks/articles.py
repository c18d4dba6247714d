"""Synthetic news articles for the extraction + ingest benchmark, deterministic from a seed.

Every sentence comes from the templates below, written for this benchmark (no corpus text):
a headline, a dateline naming an outlet or agency, then attributed casualty claims with
figures ("at least 14 civilians were killed"), hedges ("may have", "could rise to"),
denials and accusations, dates ("on Tuesday", "on March 3"), claims relayed by an agency
("..., the state news agency reported"), spokespeople speaking for their ministry, and
filler sentences that carry no claim. The names (actors, places, outlets) are drawn from
conflictkg's curated dictionary (``data/dictionary``), so the extractor links them the way it
links real articles; the mix of sentence kinds is fixed, so the work per article is the same
at every seed.

    from benchmarks.articles import synthetic_articles
    for article in synthetic_articles(100, seed=1): service.builder.ingest(article)

Run ``python -m benchmarks.articles --count 3`` to print a few.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from conflictkg.dictionary import ActorEntry, Dictionary, PlaceEntry, load_dictionary
from conflictkg.model import Article, ArticleMeta

__all__ = ["ArticleWorld", "synthetic_articles"]

START_DATE = dt.date(2018, 1, 1)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
GROUPS = ("civilians", "people", "soldiers", "fighters", "children", "policemen")
INCIDENTS = ("an air strike on a market in {place}", "shelling in {place}", "a car bomb attack in {place}",
             "clashes near {place}", "a suicide bombing in {place}", "a rocket attack on {place}")
HEADLINES = ("{n} killed in {place} attack, {source} says", "Strike on {place} kills {n}",
             "Deadly attack in {place}: toll disputed", "{source} reports {n} dead in {place}")
# Sentence templates. Slots: {source} a claimant, {other} a second one, {agency} a news agency,
# {place}, {day} (a weekday or "March 3"), {n}/{m} figures, {group}, {incident}.
CLAIMS = (
    "At least {n} {group} were killed {on_day} in {incident}, the {source} said.",
    "The {source} said {n} {group} were killed and {m} wounded in {incident}.",
    "{n} {group} died {on_day} in {incident}, according to the {source}.",
    "The {source} said that more than {m} people were wounded in {incident}.",
    "The death toll could rise to {m}, the {source} said, adding that {n} {group} had been killed.",
    "The {source} said the attack may have killed as many as {m} {group}.",
)
DENIALS = (
    "The {other} denied that its forces had carried out the attack.",
    "The {other} rejected the figures, saying no {group} were killed in {place}.",
)
ACCUSATIONS = (
    "The {other} accused the {source} of shelling the town, killing {n} people, the {agency} reported.",
    "The {other} blamed rebels for the attack, which it said killed {n} {group}, the {agency} reported.",
)
SPOKESPEOPLE = (
    '"{n} {group} were killed," {person} told reporters {on_day}.',
    "{person} said in a statement that {n} {group} had been wounded.",
)
FILLER = (
    "Residents said the area had been calm for several weeks before the attack.",
    "The town lies on a main road and has changed hands several times since the war began.",
    "Aid groups have warned of shortages of food and medicine in the province.",
    "It was not possible to verify the reports independently.",
)


@dataclass
class ArticleWorld:
    """The dictionary names the templates draw on."""

    claimants: list[ActorEntry]
    agencies: list[ActorEntry]
    outlets: list[ActorEntry]
    people: list[ActorEntry]
    places: list[PlaceEntry]

    @classmethod
    def from_dictionary(cls, dictionary: Dictionary | None = None) -> ArticleWorld:
        d = dictionary or load_dictionary()
        actors = sorted(d.actors.values(), key=lambda a: a.id)
        claimants = [a for a in actors if a.type in ("Ministry", "Government", "ArmedForce", "Monitor",
                                                    "InternationalOrganisation", "ArmedGroup")]
        media = [a for a in actors if a.type in ("NewsAgency", "MediaOutlet")]
        people = [a for a in actors if a.type == "Person" and a.affiliated_with]
        places = sorted((p for p in d.places.values() if p.type in ("town", "city", "village")), key=lambda p: p.id)
        if not (claimants and media and people and places):
            raise ValueError("the dictionary lacks claimants, media, spokespeople or towns for the templates")
        return cls(claimants, [a for a in media if a.type == "NewsAgency"] or media,
                   [a for a in media if a.type == "MediaOutlet"] or media, people, places)


def _name(actor: ActorEntry | PlaceEntry) -> str:
    return actor.label


def _article(world: ArticleWorld, rng: random.Random, index: int) -> Article:
    day = START_DATE + dt.timedelta(days=rng.randrange(3 * 365))
    published = day + dt.timedelta(days=rng.randrange(0, 2))
    place = _name(rng.choice(world.places))
    source, other = rng.sample(world.claimants, 2)
    agency = rng.choice(world.agencies)
    outlet = rng.choice(world.outlets)
    person = rng.choice(world.people)
    n = rng.randrange(2, 60)

    def slots() -> dict[str, str]:
        on_day = rng.choice((f"on {WEEKDAYS[day.weekday()]}", f"on {MONTHS[day.month - 1]} {day.day}", ""))
        return {"source": _name(source), "other": _name(other), "agency": _name(agency), "place": place,
                "n": str(n + rng.randrange(0, 5)), "m": str(n + rng.randrange(5, 40)), "group": rng.choice(GROUPS),
                "on_day": on_day, "person": _name(person), "incident": rng.choice(INCIDENTS).format(place=place)}

    def sentence(templates: tuple[str, ...]) -> str:
        text = rng.choice(templates).format(**slots()).replace("  ", " ").replace(" ,", ",")
        return text[0].upper() + text[1:]

    headline = rng.choice(HEADLINES).format(n=n, place=place, source=_name(source))
    dateline = f"{place.upper()}, {MONTHS[published.month - 1]} {published.day} ({_name(outlet)})"
    paragraphs = [f"{dateline} - {sentence(CLAIMS)}",
                  f"{sentence(DENIALS)} {sentence(FILLER)}",
                  f"{sentence(SPOKESPEOPLE)} {sentence(CLAIMS)}",
                  f"{sentence(ACCUSATIONS)} {sentence(FILLER)}",
                  sentence(CLAIMS)]
    text = headline + "\n\n" + "\n\n".join(paragraphs) + "\n"
    meta = ArticleMeta(file_name=f"synthetic_{index:07d}.txt", title=headline, publisher=_name(outlet),
                       published=published, date_basis="stated")
    return Article(text=text, meta=meta)


def synthetic_articles(count: int, seed: int = 1, *, first: int = 0,
                       world: ArticleWorld | None = None) -> Iterator[Article]:
    """``count`` articles (indexes ``first`` .. ``first + count - 1``), each a function of (seed, index)."""
    world = world or ArticleWorld.from_dictionary()
    for index in range(first, first + count):
        yield _article(world, random.Random(f"{seed}-text-{index}"), index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print synthetic articles.")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for article in synthetic_articles(args.count, args.seed):
        print(f"# {article.meta.file_name} ({article.meta.publisher}, {article.meta.published})\n{article.text}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
