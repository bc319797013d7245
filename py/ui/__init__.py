"""Application state: the one AppState and the events that change it."""
