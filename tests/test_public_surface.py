import types

import conflictkg


def test_all_is_the_public_namespace():
    public = sorted(n for n, v in vars(conflictkg).items()
                    if not n.startswith("_") and not isinstance(v, types.ModuleType) and n != "annotations")
    assert conflictkg.__all__ == public
