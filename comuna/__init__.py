"""Comuna: software for communal self-government."""

__version__ = "0.1.0"
