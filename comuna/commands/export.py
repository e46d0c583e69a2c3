"""comuna export [BODY]: the public record as JSON on standard output."""

from __future__ import annotations

import argparse
import json
import sys

from comuna.commands import django_setup

HELP = "Write the public record of one body (all bodies when omitted) as JSON to stdout."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("body", nargs="?", help="short name (slug) of the body")


def run(args: argparse.Namespace) -> int:
    django_setup()
    from comuna.bodies.export import export_record
    from comuna.bodies.models import Body

    bodies = None
    if args.body:
        body = Body.objects.filter(slug=args.body).first()
        if body is None:
            print(f"comuna export: no body with short name {args.body!r}", file=sys.stderr)
            return 2
        bodies = [body]
    json.dump(export_record(bodies), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0
