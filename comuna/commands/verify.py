"""comuna verify EXPORT.json: re-check an exported public record (stdlib-only verifier)."""

from __future__ import annotations

import argparse

from comuna import verify

HELP = "Verify an exported public record: every hash and every recorded tally."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("export", help="the JSON file written by `comuna export` ('-' for stdin)")


def run(args: argparse.Namespace) -> int:
    return verify.main([args.export])
