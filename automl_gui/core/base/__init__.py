"""Base of the engine: events, errors, lazy imports, files written atomically, strict JSON."""
