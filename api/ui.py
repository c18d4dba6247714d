"""The analyst's workbench page: ``/`` (index.html), ``/static/...`` (our code), ``/vendor/...`` (libraries).

Third-party front-end libraries are not in the repository and never come from a CDN: they
are files inside installed Python packages (dependencies in ``pyproject.toml``), located
without importing those packages and served from there:

* ``plotly.min.js`` from ``plotly`` (the contested-figures chart, with PNG/SVG export);
* ``vis-network.min.js`` and ``vis-network.css`` from ``pyvis`` (the network view).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from conflictkg.errors import NotFound

__all__ = ["include", "router", "VENDOR_FILES", "STATIC_DIR", "vendor_path"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Served name -> (package, glob inside the installed package; the last match in name order wins).
VENDOR_FILES: dict[str, tuple[str, str]] = {
    "plotly.min.js": ("plotly", "package_data/plotly.min.js"),
    "vis-network.min.js": ("pyvis", "lib/vis-9.*/vis-network.min.js"),
    "vis-network.css": ("pyvis", "lib/vis-9.*/vis-network.css"),
}
_MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
#: Library files change only with the installed package: let browsers keep them a day.
VENDOR_MAX_AGE = 86_400

router = APIRouter(tags=["workbench"])


def vendor_path(name: str) -> Path:
    """Where the installed package keeps library file ``name``; NotFound when it is not installed."""
    if name not in VENDOR_FILES:
        raise NotFound(f"no library file {name!r}; available: {', '.join(sorted(VENDOR_FILES))}", code="E064")
    package, inner = VENDOR_FILES[name]
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for base in locations:
        found = sorted(p for p in Path(base).glob(inner) if p.is_file())
        if found:
            return found[-1]
    raise NotFound(f"{name} comes from the Python package {package!r}, which is not installed: "
                   "run the README's set-up command (pip install -e .)", code="E064")


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


@router.get("/vendor/{name}", include_in_schema=False)
def vendor(name: str) -> FileResponse:
    path = vendor_path(name)
    return FileResponse(path, media_type=_MEDIA.get(path.suffix, "application/octet-stream"),
                        headers={"Cache-Control": f"public, max-age={VENDOR_MAX_AGE}"})


def include(app: FastAPI) -> None:
    """Serve the page, our assets and the libraries' assets."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
