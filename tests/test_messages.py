"""Every error code has a translated message; the Spanish catalogue is complete and compiled."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from comuna.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "comuna" / "locale" / "es" / "LC_MESSAGES" / "django.po"
ERRORS = {"InputError", "RuleError", "TieError", "ComunaError"}
# The pure core's algorithm modules report to the command line; the ones listed here reach
# users through services and pages, so their codes need translated messages. An app that
# shows another core module's errors adds it here.
WEB_CORE = (
    "quorum.py",
    "tally.py",
    "rulesets.py",
    "record.py",
    "budget_ballots.py",
    "budgeting.py",
    "pabulib.py",
    "federation.py",
    "offices.py",
    "rotation.py",
    "stv.py",
    "sortition.py",
    "lottery.py",
    "sortition_lp.py",
)


def raised_codes() -> set[str]:
    codes = set()
    for path in (ROOT / "comuna").rglob("*.py"):
        relative = path.relative_to(ROOT / "comuna")
        if relative.parts[0] == "core" and relative.name not in WEB_CORE:
            continue
        if relative.parts[0] == "commands":  # command-line output, in English
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ERRORS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                codes.add(node.args[0].value)
    return codes


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def po_entries() -> dict[str, str]:
    """Singular entries of the catalogue: msgid -> msgstr (a small reader, no dependency)."""
    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    key = ""
    for line in PO.read_text().splitlines() + [""]:
        if not line.strip():
            if "msgid" in current and "msgid_plural" not in current:
                entries[current["msgid"]] = current.get("msgstr", "")
            current, key = {}, ""
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += _unquote(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = _unquote(value)
    return entries


def test_it_has_a_message_for_every_error_code():
    codes = raised_codes()
    assert len(codes) > 40
    assert sorted(codes - MESSAGES.keys()) == []


def test_it_leaves_nothing_untranslated_or_fuzzy():
    text = PO.read_text()
    assert "#, fuzzy" not in text.split("\n\n", 1)[1]
    untranslated = [msgid for msgid, msgstr in po_entries().items() if msgid and not msgstr]
    assert untranslated == []


def test_it_ships_a_compiled_catalogue_in_step_with_the_source():
    with open(PO.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = {k: v for k, v in po_entries().items() if k and "\\" not in k}
    assert len(entries) > 200
    stale = [k for k, v in entries.items() if compiled.gettext(k) != v]
    assert stale == []
