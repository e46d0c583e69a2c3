"""An election's result as JSON for the record and the results page: exact values as strings,
candidates by ballot number and resident id, the STV count stage by stage."""

from __future__ import annotations

from typing import Any

from comuna.core.blt import Election as BltElection
from comuna.core.offices import OfficeResult
from comuna.core.stv import StvResult


def _stages(stv: StvResult) -> list[dict[str, Any]]:
    return [
        {
            "number": stage.number,
            "action": stage.action,
            "candidate": stv.candidates[stage.candidate] if stage.candidate is not None else None,
            "changes": [str(v) for v in stage.changes],
            "totals": [str(v) for v in stage.totals],
            "non_transferable": str(stage.non_transferable),
            "elected": [stv.candidates[i] for i in stage.elected],
        }
        for stage in stv.stages
    ]


def result_payload(
    result: OfficeResult,
    by_number: dict[str, Any],
    lot: list[int] | None,
    source: BltElection | None,
) -> dict[str, Any]:
    """``by_number`` maps ballot number (as text) to the candidacy."""
    payload: dict[str, Any] = {
        "method": result.method,
        "seats": result.seats,
        "principals": [[int(k), by_number[k].resident_id] for k in result.principals],
        "alternates": [[int(k), by_number[k].resident_id] for k in result.alternates],
        "votes": [[int(k), n] for k, n in result.votes],
        "ties": list(result.ties),
        "lot": lot,
    }
    if result.stv is not None:
        stv = result.stv
        payload["stv"] = {
            "candidates": [int(c) for c in stv.candidates],
            "valid": stv.valid,
            "blank": stv.blank,
            "quota": stv.quota,
            "stages": _stages(stv),
            "notes": list(stv.notes),
        }
    if source is not None:
        payload["ballots_imported"] = sum(b.weight for b in source.ballots)
    return payload


def rows(election: Any) -> dict[str, Any]:
    """The result ready for the template: names in place of ballot numbers."""
    result = election.result
    if not result:
        return {}
    names = {c.number: c.resident for c in election.candidacies.all()}
    stages = []
    stv = result.get("stv")
    if stv:
        order = stv["candidates"]
        for stage in stv["stages"]:
            who = stage["candidate"]
            stages.append(
                {
                    **stage,
                    "candidate": names[int(who)].full_name if who else None,
                    "elected": [names[int(n)].full_name for n in stage["elected"]],
                    "cells": list(zip(stage["changes"], stage["totals"], strict=True)),
                }
            )
        header = [names[n] for n in order]
    else:
        header = []
    return {
        "principals": [(names[n], names[a] if a else None) for (n, _r), a in _pairs(result)],
        "votes": [(names[n], v) for n, v in result["votes"]],
        "ties": result["ties"],
        "lot": result.get("lot"),
        "stv": stv,
        "stages": stages,
        "header": header,
    }


def _pairs(result: dict[str, Any]):
    alternates = [n for n, _r in result["alternates"]]
    for i, principal in enumerate(result["principals"]):
        yield principal, alternates[i] if i < len(alternates) else None
