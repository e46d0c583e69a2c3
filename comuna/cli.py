"""The ``comuna`` command: the command-line face of the project.

Each subcommand lives in ``comuna/commands/<name>.py`` and exposes ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Algorithm commands (``stv``, ``pb``,
``lottery``, ``tally``) never touch Django; the others set it up through
``comuna.commands.django_setup``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> module; a plain registry, imported lazily so that `comuna stv` starts fast.
COMMANDS: dict[str, str] = {
    "serve": "comuna.commands.serve",
    "manage": "comuna.commands.manage",
    "export": "comuna.commands.export",
    "verify": "comuna.commands.verify",
    "stv": "comuna.commands.stv",
    "demo": "comuna.commands.demo",
    "tally": "comuna.commands.tally",
    "pb": "comuna.commands.pb",
    "lottery": "comuna.commands.lottery",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of command ``only`` (not importing the others)."""
    parser = argparse.ArgumentParser(prog="comuna", description="Comuna: communal self-government.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        # Hand everything after `manage` to Django untouched (argparse would eat its options).
        from comuna.commands import manage

        return manage.execute(argv[1:])
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
