"""The HTTP faces of conflictkg: the FastAPI app over one GraphService."""
