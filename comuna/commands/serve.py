"""comuna serve: migrate the database, and serve Comuna on localhost."""

from __future__ import annotations

import argparse

from comuna.commands import django_setup

HELP = "Apply migrations and serve Comuna (http://127.0.0.1:8000/ by default)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("address", nargs="?", default="127.0.0.1:8000")


def run(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print(f"Comuna: http://{args.address}/  (Ctrl-C to stop)")
    # Django's threaded server is enough for one assembly hall on a laptop; production runs
    # the WSGI app (comuna.wsgi) under a real server, see docs/deploy.md.
    call_command("runserver", args.address, use_reloader=False, insecure_serving=True)
    return 0
