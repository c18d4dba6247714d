"""conflictkg."""
