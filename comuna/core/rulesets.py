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
    # Participatory budgeting: no article fixes the rule; the assembly chooses (ADR 0070).
    "budget_rule": "mes",
    "budget_satisfaction": "cost",
    "budget_add1_start": "floor",
    "budget_add1_step": "1",
    "budget_add1_stop": "over_budget",
    "budget_tie_break": "max_votes,min_cost",
    # The commune and upper levels (Ley Orgánica de las Comunas, 2010; institutions.md §2, §8).
    "commune_referendum_turnout": "3/20",  # LOC Arts. 12, 16: majority yes, turnout >= 15 %
    "commune_dissemination_days": 15,  # LOC Art. 13
    "commune_referendum_deadline_days": 60,  # LOC Art. 13: referendum within 60 days of notice
    "commune_registration_days": 15,  # LOC Art. 17: registration within 15 days
    "parliament_seats_per_member": 1,  # LOC Art. 23: one spokesperson per council
    "parliament_enterprise_seats": 3,  # LOC Art. 23: socio-productive organisations
    "parliament_bank_seats": 1,  # LOC Art. 23: the Banco de la Comuna
    "parliament_term_years": 3,  # LOC Art. 23
    "parliament_extraordinary_call": "7/10",  # LOC Art. 25: 70 % of the councils
    "parliament_agenda_item_call": "3/5",  # LOC Art. 22.9: 60 % of the councils
    "imperative_mandate": True,  # LOC Art. 26: the vote expresses the council's mandate
    "upper_level_has_own_authority": True,  # LOC Art. 21: the Parliament is the highest body
    # Recall of a parliament spokesperson (ADR 0066): LOC Art. 50, a referendum requested by
    # 10 % of the commune's electors (recall_petition_threshold), recalled by a majority yes
    # with a turnout of more than 15 % of the register; or by the member body's own assembly.
    "delegate_recall_vote": "referendum",  # LOC Art. 50
    "delegate_recall_turnout": "3/20",  # LOC Art. 50: turnout "mayor al quince por ciento"
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

# Zapatista autonomy after the 2023 restructuring (institutions.md §4.3, "Novena parte: La
# nueva estructura de la autonomía zapatista", EZLN, Nov 2023; §4.1-4.2 for rotation and the
# seven principles). Upper levels (CGAZ, ACGAZ) have no authority of their own: their
# decisions take effect only when the member bodies ratify them. Community assemblies admit
# everyone who "ya tiene bueno su pensamiento", about 12 and older (Ornelas 2004, §4.1).
# Office holders are replaceable at any time (wikidat on the JBG), so recall has no waiting
# period. The assembly seeks consensus; the closest majority rule kept here is a majority of
# the votes cast (the EZLN also runs majority consultas, §4.2).
_ZAPATISTA: dict[str, Any] = {
    **_VENEZUELA_2009,
    "member_min_age": 12,  # Ornelas 2004 (clajadep.lahaine.org/?p=2573)
    "spokesperson_min_age": 12,
    "spokesperson_residence_years": 0,
    "decision_rule": "majority_of_votes",  # §4.2: consensus sought, consultas by majority
    "recall_min_elapsed_term": "0/1",  # §4.1: "rotativos y reemplazables en todo momento"
    "parliament_enterprise_seats": 0,
    "parliament_bank_seats": 0,
    "upper_level_has_own_authority": False,  # Novena parte (2023): ACGAZ "no es autoridad"
    # §4.2 "mandar obedeciendo": the community assembly that sent a delegate recalls them.
    "delegate_recall_vote": "member_assembly",
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
        "delegate_recall_vote": "member_assembly",  # whoever sent the delegate recalls them
    },
    "zapatista": _ZAPATISTA,
}
DEFAULT_PROFILE = "venezuela-2009"

# Parameters limited to a few values (the budget rule and its options:
# docs/methods/budgeting.md; offices: ADRs 0050-0053).
CHOICE_PARAMETERS: dict[str, frozenset[str]] = {
    "budget_rule": frozenset({"mes", "greedy"}),
    "budget_satisfaction": frozenset({"cost", "count"}),
    "budget_add1_start": frozenset({"floor", "exact"}),
    "budget_add1_stop": frozenset({"over_budget", "exhaustive"}),
    "budget_tie_break": frozenset(
        {"max_votes,min_cost", "min_cost,max_votes", "max_votes,max_cost", "min_cost", "refuse"}
    ),
    "election_method": frozenset({"uninominal", "stv"}),
    "rotation_mode": frozenset({"election", "lot", "roster", "shift"}),
    "kinship_exclusion": frozenset({"household", "none"}),
    "delegate_recall_vote": frozenset({"member_assembly", "referendum"}),
    "recall_vote_rule": frozenset(
        {
            "majority_of_attendees",
            "majority_of_votes",
            "majority_of_members",
            "two_thirds_of_attendees",
        }
    ),
}
POSITIVE_NUMBER_PARAMETERS = frozenset({"budget_add1_step"})

FRACTION_PARAMETERS = frozenset(
    name for name, value in _VENEZUELA_2009.items() if isinstance(value, str) and "/" in value
)
INTEGER_PARAMETERS = frozenset(
    name for name, value in _VENEZUELA_2009.items() if type(value) is int
)
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
        if name in CHOICE_PARAMETERS:
            if str(raw).strip() not in CHOICE_PARAMETERS[name]:
                raise ValueError
            return str(raw).strip()
        if name in POSITIVE_NUMBER_PARAMETERS:
            step = Fraction(str(raw).strip())
            if step <= 0:
                raise ValueError
            return str(step)
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
    except (ValueError, ZeroDivisionError):
        raise InputError(
            "ruleset.bad_value", "{value} is not a valid value for {name}.", name=name, value=raw
        ) from None
    return str(raw).strip()
