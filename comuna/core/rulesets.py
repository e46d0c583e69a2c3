"""Named rule profiles a body lives by.

A profile is a plain mapping of parameter -> value. Fractions are written as strings
(``"3/10"``) so that a ruleset round-trips through JSON and the public record exactly. A body
amends its own copy by assembly decision; every act records the version it applied. Values
and articles: ``shared/reference/institutions.md`` §8.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from comuna.core.errors import InputError

_VENEZUELA_2009: dict[str, Any] = {
    "member_min_age": 15,  # LOCC Art. 21: inhabitants older than 15
    "spokesperson_min_age": 15,  # LOCC Art. 15
    "finance_audit_min_age": 18,  # LOCC Art. 15 (UAFC and UCS)
    "spokesperson_residence_years": 1,  # LOCC Art. 15.1
    "quorum_first_call": "3/10",  # LOCC Art. 22
    "quorum_second_call": "1/5",  # LOCC Art. 22
    "decision_rule": "majority_of_attendees",  # LOCC Art. 22
    "founding_first_assembly_participation": "1/10",  # LOCC Art. 7
    "spokesperson_term_years": 2,  # LOCC Art. 12 (2009)
    "electoral_commission_term_years": 2,  # LOCC Art. 36
    "recall_petition_threshold": "1/10",  # LOCC Art. 40
    "recall_min_elapsed_term": "1/2",  # LOPP Art. 16
    "recall_vote_quorum": "1/5",  # LOCC Art. 41
    "recall_ban_terms": 2,  # LOCC Art. 42
    "secret_ballot_default": False,  # not stated in the 2009 law
    # Offices (comuna/offices; institutions.md §1.3-1.5, §8).
    "finance_unit_size": 5,  # LOCC Art. 30 (UAFC)
    "audit_unit_size": 5,  # LOCC Art. 33 (UCS)
    "electoral_commission_size": 5,  # LOCC Art. 36
    "election_method": "uninominal",  # LOCC Art. 11: uninominal, never by slate; or "stv"
    "rotation_mode": "election",  # LOCC Art. 12; or lot (Athens), roster (turno), shift (JBG)
    "rotation_shift_days": 14,  # JBG shifts of 8-15 days (Marcos 2004); used by "shift"
    "reelection_limit": 0,  # LOCC Art. 12: re-election allowed, no limit (0 = none)
    "cool_down_years": 0,  # years out of a post after reaching the limit (0 = none)
    "kinship_exclusion": "household",  # LOCC Art. 15.8, approximated by household (ADR 0053)
    "recall_report_days": 15,  # LOCC Art. 41: social-audit report
    "recall_to_assembly_days": 15,  # LOCC Art. 41: to the assembly after the report
    "recall_vote_rule": "majority_of_attendees",  # LOCC Art. 41
}

PROFILES: dict[str, dict[str, Any]] = {
    "venezuela-2009": _VENEZUELA_2009,
    # 2023 reform of the LOCC: three-year terms (institutions.md §1.12).
    "venezuela-2023": {**_VENEZUELA_2009, "spokesperson_term_years": 3},
    "generic": {
        **_VENEZUELA_2009,
        "member_min_age": 16,
        "spokesperson_residence_years": 0,
        "quorum_first_call": "1/4",
        "quorum_second_call": "1/10",
        "decision_rule": "majority_of_votes",
        "secret_ballot_default": True,
    },
}
DEFAULT_PROFILE = "venezuela-2009"

FRACTION_PARAMETERS = frozenset(
    name for name, value in _VENEZUELA_2009.items() if isinstance(value, str) and "/" in value
)
INTEGER_PARAMETERS = frozenset(
    name for name, value in _VENEZUELA_2009.items() if type(value) is int
)
# Parameters that name one of a fixed set of values.
CHOICE_PARAMETERS: dict[str, frozenset[str]] = {
    "election_method": frozenset({"uninominal", "stv"}),
    "rotation_mode": frozenset({"election", "lot", "roster", "shift"}),
    "kinship_exclusion": frozenset({"household", "none"}),
    "recall_vote_rule": frozenset(
        {
            "majority_of_attendees",
            "majority_of_votes",
            "majority_of_members",
            "two_thirds_of_attendees",
        }
    ),
}
BOOLEAN_PARAMETERS = frozenset(
    name for name, value in _VENEZUELA_2009.items() if isinstance(value, bool)
)


def profile(name: str) -> dict[str, Any]:
    """A fresh copy of the parameters of profile ``name``."""
    if name not in PROFILES:
        raise InputError("ruleset.unknown_profile", "Unknown ruleset profile {name}.", name=name)
    return dict(PROFILES[name])


def fraction(params: Mapping[str, Any], name: str) -> Fraction:
    return Fraction(str(params[name]))


def with_defaults(params: Mapping[str, Any], profile_name: str) -> dict[str, Any]:
    """``params`` completed with the profile's values for parameters added after a body
    adopted its ruleset (a version stored before a parameter existed keeps working)."""
    base = PROFILES.get(profile_name, _VENEZUELA_2009)
    return {**_VENEZUELA_2009, **base, **params}


def validate_amendment(params: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``params`` with ``changes`` applied, each value checked and normalised."""
    amended = dict(params)
    for name, raw in changes.items():
        if name not in params and name not in _VENEZUELA_2009:
            raise InputError("ruleset.unknown_parameter", "Unknown parameter {name}.", name=name)
        amended[name] = _normalise(name, raw, params.get(name, _VENEZUELA_2009[name]))
    return amended


def _normalise(name: str, raw: Any, current: Any) -> Any:
    try:
        if name in FRACTION_PARAMETERS:
            value = Fraction(str(raw).strip())
            if not 0 <= value <= 1:
                raise ValueError
            return f"{value.numerator}/{value.denominator}"
        if name in BOOLEAN_PARAMETERS:
            if isinstance(raw, bool):
                return raw
            return str(raw).strip().lower() in {"1", "true", "yes", "si", "sí"}
        if name in INTEGER_PARAMETERS:
            value_int = int(str(raw).strip())
            if value_int < 0:
                raise ValueError
            return value_int
        if name in CHOICE_PARAMETERS:
            choice = str(raw).strip()
            if choice not in CHOICE_PARAMETERS[name]:
                raise ValueError
            return choice
    except (ValueError, ZeroDivisionError):
        raise InputError(
            "ruleset.bad_value", "{value} is not a valid value for {name}.", name=name, value=raw
        ) from None
    return str(raw).strip()
