"""Ontology, shapes, model and emitted data agree (docs/model.md is the contract).

- every class and property the pipeline emits (the fixture graph and, once built, the corpus
  graph in data/turtle/) is declared in ontology/conflictkg.ttl, or is a standard term of a
  reused vocabulary that docs/model.md names;
- every ckg: class is the target of a shape, and every ckg: property is constrained by one;
- the controlled lists in the shapes (sh:in) are exactly the ontology's individuals.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixtures_validation import ontology_graph, union
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from conflictkg.namespaces import CKG, GRASPF, PREFIXES
from conflictkg.resources import PROJECT_ROOT, TURTLE_DIR
from conflictkg.validation import ShapeValidator

MODEL_MD = PROJECT_ROOT / "docs" / "model.md"
REUSED = ("sem", "prov", "oa", "schema", "skos", "rdfs", "graspf")
#: Classes whose instances are controlled values (individuals of the ontology), and the
#: property whose sh:in list in the shapes must list exactly those individuals.
CONTROLLED = {
    CKG.Stance: CKG.stance,
    CKG.Channel: CKG.channel,
    CKG.Measure: CKG.measure,
    CKG.Qualifier: CKG.qualifier,
    CKG.DateBasis: CKG.claimDateBasis,
    CKG.PopulationKind: CKG.populationKind,
    CKG.Alignment: CKG.alignment,
    CKG.EventRole: CKG.eventRole,
    CKG.PopulationRelation: CKG.populationRelation,
}


def _expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(str(PREFIXES[prefix]) + local)


def _model_terms() -> set[URIRef]:
    """Standard terms of reused vocabularies that docs/model.md names (``sem:hasPlace``)."""
    text = MODEL_MD.read_text(encoding="utf-8")
    pattern = r"(?<![\w/])(" + "|".join(REUSED) + r"):([A-Za-z][A-Za-z0-9]*)"
    return {_expand(f"{p}:{local}") for p, local in re.findall(pattern, text)} | {RDF.type}


def _declared() -> set[URIRef]:
    onto = ontology_graph()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
    return {s for k in kinds for s in onto.subjects(RDF.type, k) if isinstance(s, URIRef)}


def _vocabulary(graph: Graph) -> tuple[set[URIRef], set[URIRef], set[URIRef]]:
    classes = {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}
    properties = set(graph.predicates())
    values = {o for o in graph.objects() if isinstance(o, URIRef) and str(o).startswith((str(CKG), str(GRASPF)))}
    return classes, properties, values - classes


def _check_vocabulary(graph: Graph) -> None:
    allowed = _declared() | _model_terms()
    classes, properties, values = _vocabulary(graph)
    assert classes - allowed == set(), "classes neither in the ontology nor named in docs/model.md"
    assert properties - allowed == set(), "properties neither in the ontology nor named in docs/model.md"
    assert values - _declared() == set(), "controlled values not declared in the ontology"
    # Every ckg: term used is declared by the ontology itself (not only named in the model).
    ours = {t for t in classes | properties | values if str(t).startswith(str(CKG))}
    assert ours - _declared() == set()


def test_fixture_graph_uses_only_declared_terms() -> None:
    _check_vocabulary(union())


def _corpus_files() -> list[Path]:
    return sorted(TURTLE_DIR.glob("*.ttl")) if TURTLE_DIR.is_dir() else []


@pytest.mark.skipif(not _corpus_files(), reason="data/turtle/ is empty: the corpus graph is not built yet")
def test_corpus_graph_uses_only_declared_terms() -> None:
    graph = Graph()
    for path in _corpus_files():
        graph.parse(path, format="turtle")
    _check_vocabulary(graph)
    assert ShapeValidator().validate_graph(graph).conforms


def _shape_paths(shapes: Graph) -> set[URIRef]:
    """Every predicate that occurs in some sh:path (sequence steps and inverse paths included)."""
    found: set[URIRef] = set()

    def walk(node: object) -> None:
        if isinstance(node, URIRef):
            found.add(node)
        elif (node, RDF.first, None) in shapes:
            for step in Collection(shapes, node):  # type: ignore[arg-type]
                walk(step)
        else:
            for p in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
                inner = shapes.value(node, p)  # type: ignore[arg-type]
                if inner is not None:
                    walk(inner)

    for path in shapes.objects(None, SH.path):
        walk(path)
    return found


def test_every_ckg_class_is_the_target_of_a_shape() -> None:
    shapes = ShapeValidator().shapes
    targets = set(shapes.objects(None, SH.targetClass))
    onto = ontology_graph()
    ckg_classes = {c for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith(str(CKG))}
    # Subclasses of ckg:Event and ckg:Actor are targeted through their superclass (sh:targetClass
    # follows rdfs:subClassOf in the data; the pipeline also types every node with the superclass).
    covered = set(targets)
    for c in ckg_classes:
        supers = set(onto.transitive_objects(c, RDFS.subClassOf))
        if supers & targets:
            covered.add(c)
    assert ckg_classes - covered == set()
    assert set(CONTROLLED) <= targets


def test_every_property_the_model_uses_is_constrained_by_a_shape() -> None:
    shapes = ShapeValidator().shapes
    paths = _shape_paths(shapes)
    onto = ontology_graph()
    ckg_properties = {p for k in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in onto.subjects(RDF.type, k)}
    assert ckg_properties - paths == set()
    _classes, used, _values = _vocabulary(union())
    assert used - paths - {RDF.type} == set()


def test_controlled_lists_in_shapes_match_the_ontology() -> None:
    shapes = ShapeValidator().shapes
    onto = ontology_graph()
    for cls, prop in CONTROLLED.items():
        individuals = set(onto.subjects(RDF.type, cls))
        lists = [set(Collection(shapes, lst)) for shape in shapes.subjects(SH.path, prop)
                 for lst in shapes.objects(shape, SH["in"])]
        assert lists, f"no sh:in list constrains {prop}"
        assert all(members == individuals for members in lists), prop
    certainty = [set(Collection(shapes, lst)) for shape in shapes.subjects(SH.path, CKG.certainty)
                 for lst in shapes.objects(shape, SH["in"])]
    assert certainty == [{GRASPF.certain, GRASPF.probable, GRASPF.possible}]
    assert all((v, RDF.type, OWL.NamedIndividual) in onto for v in certainty[0])
