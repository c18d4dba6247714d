import pytest

from conflictkg.errors import ConflictKGError
from conflictkg.extract import DEFAULT_PIPELINE, Pipeline, analyse
from conflictkg.extract.pipeline import REGISTRY, component


def test_default_pipeline_is_complete_and_ordered():
    Pipeline()  # registers the components
    assert analyse(DEFAULT_PIPELINE) == []
    assert set(DEFAULT_PIPELINE) <= set(REGISTRY)


def test_unmet_requirements_are_reported():
    Pipeline()
    assert analyse(["sentences", "clean"]) == ["sentences requires 'blocks', which no earlier component assigns"]
    with pytest.raises(ConflictKGError) as exc:
        Pipeline(["figures"])
    assert exc.value.code == "E081"


def test_a_component_must_return_the_doc(run):
    @component("broken-for-test")
    def broken(doc):
        return None

    try:
        with pytest.raises(ConflictKGError) as exc:
            Pipeline(["clean", "broken-for-test"])(run("Text.", upto="clean"))
        assert exc.value.code == "E080"
        assert "broken-for-test" in exc.value.message
    finally:
        REGISTRY.pop("broken-for-test")
