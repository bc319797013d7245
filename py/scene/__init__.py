"""Pure Python: (trace, state, viewport) -> shapes to draw; colour encodings; the stage timeline."""
