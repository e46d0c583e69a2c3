"""comuna manage ...: Django's management commands (migrate, createsuperuser, ...)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

HELP = "Run a Django management command (migrate, createsuperuser, check ...)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER)


def execute(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comuna.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["comuna manage", *argv])
    return 0


def run(args: argparse.Namespace) -> int:
    return execute(args.rest)
