"""The words that classify a speaker phrase: organisation name words, document heads, pronouns,
collective and institution heads, role classes and place words (data the speaker resolver reads).
"""

from __future__ import annotations

import re

__all__ = ["PERSON_HEADS", "COLLECTIVE_HEADS", "DETERMINERS", "DOCUMENT", "DOCUMENT_HEADS", "INSTITUTION_HEADS", "LABEL_DETERMINERS", "LEADING", "NAME_TOKEN", "NOT_MODIFIERS", "ORG_NAME_WORDS", "ORG_NOUNS", "PLACE_WORDS", "PRONOUNS", "ROLE_CLASSES"]

#: Last words that make a capitalised name an organisation rather than a person.
ORG_NAME_WORDS = ("Team", "Group", "Council", "Ministry", "Agency", "Committee", "Organization", "Organisation",
                  "Observatory", "Network", "Institute", "Center", "Centre", "Army", "Forces", "Front", "Brigade",
                  "Brigades", "Movement", "Party", "Office", "Service", "Command", "Coalition", "News", "Television",
                  "Monitor", "Watch", "Union", "Commission", "Foundation", "Association", "Department", "TV",
                  "Radio", "Channel", "Authority", "Police", "Guard", "Corps", "Directorate", "Administration",
                  "Bureau", "Staff", "Mission", "Embassy", "Court", "Parliament", "Assembly", "Press", "Times", "Post",
                  "Daily", "Herald", "Tribune", "Fund", "Programme", "Program", "Federation", "Red Cross",
                  "Red Crescent", "Crisis Group", "Children", "Alliance", "Secretariat", "Prosecutor's Office", "Government",
                  "Project", "Initiative", "Society")
#: Lower-case nouns that make "the <Name> <noun>" an organisation ("the Save the Children charity").
ORG_NOUNS = ("charity", "group", "agency", "network", "channel", "organisation", "organization", "newspaper",
             "broadcaster", "monitor", "ngo", "alliance", "coalition", "movement", "militia", "website", "outlet",
             "daily", "weekly", "magazine", "tv", "television", "radio", "news agency", "think tank", "institute",
             "office", "militia", "forces", "committee", "council", "party", "front", "mission", "tv network", "tv channel")
#: Heads of a document that speaks for whoever issued it ("a coastguard bulletin asserts").
DOCUMENT_HEADS = ("statement", "report", "bulletin", "memo", "communique", "communiqué", "document", "letter",
                  "assessment", "dossier", "leaflet", "release", "press release", "tweet", "poll", "survey", "study")
DOCUMENT = re.compile(r"(?<![\w-])(?P<head>" + "|".join(re.escape(h) for h in sorted(DOCUMENT_HEADS, key=len, reverse=True))
                       + r")s?(?![\w-])(?P<rest>.*)$", re.I)
PRONOUNS = {"he": "person", "she": "person", "it": "thing", "they": "any", "we": "any", "i": "person",
             "him": "person", "her": "person", "them": "any"}
DETERMINERS = re.compile(r"^(?:a|an|the|one|another|two|three|four|five|several|some|many|multiple|both|other)\s+", re.I)
LABEL_DETERMINERS = re.compile(r"^(?:a|an|the|one|another|two|three|several)\s+", re.I)
LEADING = re.compile(r"^(?:(?:but|and|yet|so|although|though|while|whereas|however|meanwhile|moreover|also|then|now|still|earlier|later|"
                      r"separately|instead|in turn|for (?:its|his|her|their) part|additionally|in addition|furthermore|likewise|"
                      r"similarly|nevertheless|nonetheless|by contrast|in contrast|on the other hand|at the same time)\b[,\s]*)+", re.I)
#: A word of a name.  Lower-case particles start a word of their own: the "der" of "commander" or
#: "elder" is no particle ("tribal elder Omar Tessel" names Omar Tessel).
NAME_TOKEN = r"(?:[A-Z][\w'\u2019-]*\.?|(?<![\w'\u2019-])(?:al-[A-Z][\w'-]*|bin|ibn|de|van|von|der|el-[A-Z][\w'-]*))"
#: Source heads that name no single person: "it" can refer to them, "he" cannot.
COLLECTIVE_HEADS = {"report", "statement", "media", "newspaper", "monitor", "authorities", "police", "ministry", "army", "military",
                     "tally", "toll", "group", "agency", "network", "channel", "charity", "organisation", "organization",
                     "committee", "council", "bulletin", "memo", "communique", "communiqué", "document", "leaflet", "dossier",
                     "assessment", "estimate", "count", "data", "figures", "account", "footage", "video", "coalition", "alliance",
                     "bloc", "delegation", "commission", "outlet", "staff", "source"}
#: Heads that name an institution, not a person: "the navy" is labelled "navy", not "unnamed navy".
INSTITUTION_HEADS = {"navy", "coastguard", "coast guard", "army", "military", "police", "air force", "government"}
#: What a bare "the <head>" can describe, as words of the speaker's roles.
ROLE_CLASSES = {
    "diplomat": ("diplomat", "foreign", "ambassador", "envoy", "consul", "representative"),
    "official": ("official", "spokes", "minister", "secretary", "governor", "deputy", "director", "administrat"),
    "officer": ("officer", "colonel", "general", "major", "captain", "lieutenant", "commander", "brigadier"),
    "commander": ("commander", "general", "colonel", "chief", "head"),
    "minister": ("minister",), "spokesman": ("spokes",), "spokeswoman": ("spokes",), "spokesperson": ("spokes",),
    "politician": ("politician", "lawmaker", "senator", "deputy", "minister", "leader"),
    "governor": ("governor",), "journalist": ("journalist", "reporter", "correspondent", "editor"),
}
#: Last words that make a capitalised name a place.
PLACE_WORDS = {"Region", "Province", "District", "Oblast", "County", "Governorate", "Village", "City", "Town", "State",
                "Prefecture", "Municipality", "Valley", "Island", "Islands", "Street", "Square", "Airport", "Station"}
#: Words of a definite phrase that do not tell one body from another ("the same source").
NOT_MODIFIERS = {"the", "this", "that", "these", "those", "a", "an", "same", "other", "first", "second", "latter", "former",
                  "aforementioned", "said"}
#: Heads of an unnamed speaker that is one person: "he" can refer back to "an eyewitness" or "a resident".
PERSON_HEADS = {"witness", "eyewitness", "resident", "survivor", "villager", "local", "man", "woman", "medic", "nurse",
                "paramedic", "rescuer", "neighbour", "neighbor", "relative", "farmer", "fisherman", "driver", "worker",
                "soldier", "guard", "policeman", "policewoman", "source", "doctor", "official", "officer", "spokesman",
                "spokeswoman", "spokesperson", "commander", "journalist", "reporter", "correspondent", "diplomat"}
