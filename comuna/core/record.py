"""The public record: an append-only chain of a body's binding acts.

Each entry is hashed over its canonical JSON together with the previous entry's hash, so
changing, removing or reordering any entry breaks every hash after it. ``comuna/verify.py``
re-implements this with the standard library alone, for outsiders; the two are cross-checked
by the tests (ADR 0003).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS = "0" * 64
FORMAT = "comuna-record/1"


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8, no floats (exact values are strings)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def timestamp(moment: dt.datetime) -> str:
    """The one textual form of a record time: UTC, ISO 8601, microseconds."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, seq: int, kind: str, payload: Any, recorded_at: str) -> str:
    body = canonical(
        {"kind": kind, "payload": payload, "prev": prev_hash, "seq": seq, "at": recorded_at}
    )
    return hashlib.sha256(body).hexdigest()
