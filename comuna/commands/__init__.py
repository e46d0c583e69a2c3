"""Subcommands of the ``comuna`` command line (see ``comuna.cli``)."""

from __future__ import annotations

import os


def django_setup() -> None:
    """Configure Django for a command that needs the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comuna.settings")
    import django

    django.setup()
