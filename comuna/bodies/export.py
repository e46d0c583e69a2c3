"""The public record of bodies as JSON, in the format ``comuna/verify.py`` reads."""

from __future__ import annotations

from typing import Any

from comuna.bodies.models import Body, RecordEntry
from comuna.core import record


def entry_as_dict(entry: RecordEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "payload": entry.payload,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "recorded_at": record.timestamp(entry.recorded_at),
    }


def export_record(bodies: list[Body] | None = None) -> dict[str, Any]:
    """Every entry of the given bodies (all bodies when None), with each chain's head."""
    selected = list(Body.objects.order_by("slug")) if bodies is None else bodies
    entries: dict[int, list[dict[str, Any]]] = {body.pk: [] for body in selected}
    for entry in RecordEntry.objects.filter(body__in=selected).order_by("body_id", "seq"):
        entries[entry.body_id].append(entry_as_dict(entry))
    return {
        "format": record.FORMAT,
        "bodies": [
            {
                "slug": body.slug,
                "name": body.name,
                "kind": body.kind,
                "head": entries[body.pk][-1]["hash"] if entries[body.pk] else record.GENESIS,
                "entries": entries[body.pk],
            }
            for body in selected
        ],
    }
