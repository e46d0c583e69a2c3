"""comuna demo: migrate the database and build the demo council, once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from comuna.commands import django_setup

if TYPE_CHECKING:
    from comuna.demo import DemoReport

HELP = (
    "Build the demo council Brisas del Turbio with a year of assemblies, offices, a "
    "participatory budget, a lottery and its commune (once)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from comuna.demo_script import ACCOUNTS, DEMO_PASSWORD

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    lines = [f"  {name:<10} {purpose}" for name, (_role, purpose) in ACCOUNTS.items()]
    parser.epilog = f"accounts (password {DEMO_PASSWORD}, demo only):\n" + "\n".join(lines)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="delete the SQLite database first and start from nothing",
    )
    parser.add_argument("--seed", type=int, default=None, help="draw a different demo year")
    parser.add_argument("--households", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--residents", type=int, default=None, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.management import call_command

    if args.reset and not reset_sqlite():
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    from comuna import demo

    if demo.demo_exists():
        print(
            f"comuna demo: the demo council {demo.DEMO_SLUG!r} is already in the database; "
            "nothing to do (use --reset to start again)."
        )
        return 0
    sizes = {
        "households": args.households or demo.HOUSEHOLDS,
        "residents": args.residents or demo.RESIDENTS,
    }
    if sizes["residents"] < sizes["households"] or sizes["households"] < 3:
        print("comuna demo: at least 3 households and one resident per household", file=sys.stderr)
        return 2
    print("comuna demo: building the demo council (a year of assemblies)...")
    report = demo.build_demo(seed=demo.DEMO_SEED if args.seed is None else args.seed, **sizes)
    print_report(report)
    return 0


def reset_sqlite() -> bool:
    """Delete the SQLite database file (and its WAL companions). Never a PostgreSQL one."""
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] != "django.db.backends.sqlite3":
        print(
            "comuna demo: --reset only deletes a SQLite database; drop a PostgreSQL "
            "database yourself.",
            file=sys.stderr,
        )
        return False
    connections["default"].close()
    path = Path(settings_dict["NAME"])
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        candidate.unlink(missing_ok=True)
    print(f"comuna demo: deleted {path}")
    return True


def print_report(report: DemoReport) -> None:
    from comuna import demo

    print(
        f"{report.body.name}: {report.households} households, {report.residents} residents "
        f"({report.electorate} of them members of the assembly), {report.assemblies} "
        f"assemblies, {report.decisions} decisions, {report.committees} committees."
    )
    if report.posts:
        print(
            f"Also: {report.posts} posts with elected, drawn and rostered holders and a recall "
            f"petition; a participatory budget of {report.projects} projects in execution; a "
            f"mediation panel drawn by lot; member of {report.commune}."
        )
    else:
        print(
            f"(Under {demo.DOMAINS_MIN_RESIDENTS} residents the demo has no offices, budget, "
            "lottery or commune.)"
        )
    print("Accounts (for a demo on your own machine only):")
    for username, (_role, purpose) in demo.ACCOUNTS.items():
        password = demo.DEMO_PASSWORD if report.accounts.get(username) else "(unchanged)"
        print(f"  {username:<10} {password:<12} {purpose}")
    print(
        f"Today's assembly is convened and {demo.TODAY_MISSING} people short of the quorum: "
        "log in as vocera, record them, open it and vote."
    )
