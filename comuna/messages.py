"""Translated messages for the stable error codes raised by the core and the services.

Views and API endpoints call ``describe(error)``; ``tests/test_messages.py`` fails when a code
raised anywhere in the code has no entry here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comuna.core.errors import ComunaError

MESSAGES: dict[str, Any] = {
    "api.bad_token": gettext_lazy("The API token is not valid or was revoked."),
    "api.csrf_failed": gettext_lazy(
        "The request lacks a valid CSRF token; reload the page and try again."
    ),
    "api.forbidden": gettext_lazy("Your roles in this body do not allow this."),
    "api.invalid": gettext_lazy("Some fields are missing or not valid."),
    "api.malformed": gettext_lazy("The request could not be read: send valid JSON."),
    "api.method_not_allowed": gettext_lazy("This address does not accept that method."),
    "api.not_found": gettext_lazy("Not found."),
    "api.refused": gettext_lazy("The request was refused."),
    "api.unauthorized": gettext_lazy("Sign in or send an API token (Authorization: Bearer ...)."),
    "assembly.bad_call": gettext_lazy("The call must be the first or the second."),
    "assembly.call_not_yet": gettext_lazy("The call is at %(at)s; it is not time yet."),
    "assembly.closed": gettext_lazy("This assembly is closed."),
    "assembly.empty_agenda": gettext_lazy("An assembly needs at least one agenda item."),
    "assembly.in_the_past": gettext_lazy("An assembly cannot be convened in the past."),
    "assembly.no_place": gettext_lazy("Say where the assembly meets."),
    "assembly.not_convened": gettext_lazy("This assembly cannot be opened now."),
    "assembly.not_in_session": gettext_lazy("The assembly is not in session."),
    "assembly.open_votes": gettext_lazy("Close every open vote before closing the assembly."),
    "assembly.quorum_present": gettext_lazy("The quorum is present: open the assembly."),
    "assembly.second_call_before_first": gettext_lazy(
        "The second call cannot come before the first."
    ),
    "attendance.already_recorded": gettext_lazy("%(name)s is already recorded as present."),
    "attendance.assembly_closed": gettext_lazy("This assembly is no longer taking attendance."),
    "attendance.not_a_member": gettext_lazy(
        "%(name)s is not a member of this body's assembly (in the census, aged %(age)s or more)."
    ),
    "body.missing_name": gettext_lazy("A council needs a name and a territory."),
    "body.no_promoters": gettext_lazy("A council is founded by a promoter team."),
    "body.already_registered": gettext_lazy("This body is already registered as %(number)s."),
    "body.no_registration_number": gettext_lazy("Give the registration number."),
    "body.registered_before_founding": gettext_lazy("Registration cannot precede founding."),
    "role.exists": gettext_lazy("%(username)s already has that role."),
    "role.no_username": gettext_lazy("Give the person's username."),
    "role.password_needed": gettext_lazy("A new account needs a password."),
    "role.unknown": gettext_lazy("Unknown role %(kind)s."),
    "role.weak_password": gettext_lazy("The password is not safe enough: %(reasons)s"),
    "body.slug_taken": gettext_lazy("The short name %(slug)s is already in use."),
    "census.already_left": gettext_lazy("This resident already left on %(on)s."),
    "census.birth_in_future": gettext_lazy("The date of birth is in the future."),
    "census.csv_bad_date": gettext_lazy(
        "Line %(line)s: %(column)s must be a date YYYY-MM-DD, not “%(value)s”."
    ),
    "census.csv_bad_sex": gettext_lazy("Line %(line)s: sex must be F, M or X, not “%(value)s”."),
    "census.csv_empty": gettext_lazy("The CSV file has no rows."),
    "census.csv_missing_columns": gettext_lazy("The CSV file lacks the columns: %(columns)s."),
    "census.csv_missing_value": gettext_lazy("Line %(line)s: %(column)s is empty."),
    "census.csv_not_text": gettext_lazy("The file is not UTF-8 CSV text."),
    "census.csv_rejected": gettext_lazy("%(count)s rows have errors; nothing was imported."),
    "census.csv_too_large": gettext_lazy("The file is larger than %(limit)s MB."),
    "census.csv_too_long": gettext_lazy(
        "Line %(line)s: %(column)s is longer than %(limit)s characters."
    ),
    "census.csv_unreadable": gettext_lazy("The CSV file could not be read: %(detail)s."),
    "census.household_exists": gettext_lazy("Household %(code)s already exists."),
    "census.household_incomplete": gettext_lazy("A household needs a code and an address."),
    "census.id_taken": gettext_lazy("Identity document %(id_number)s is already in the census."),
    "census.name_missing": gettext_lazy("First and last names are required."),
    "census.residence_before_birth": gettext_lazy("Residence cannot start before birth."),
    "census.unknown_resident": gettext_lazy("No resident %(resident)s in this census."),
    "committee.exists": gettext_lazy("The committee %(name)s already exists."),
    "committee.missing_name": gettext_lazy("A committee needs a name."),
    "demo.exists": gettext_lazy("The demo council %(slug)s already exists."),
    "motion.bad_kind": gettext_lazy("Unknown kind of motion."),
    "motion.bad_method": gettext_lazy("Unknown voting method."),
    "motion.foreign_item": gettext_lazy("That agenda item belongs to another assembly."),
    "motion.no_title": gettext_lazy("A motion needs a title."),
    "motion.unknown_item": gettext_lazy("The agenda has no item %(position)s."),
    "quorum.bad_attendance": gettext_lazy("Attendance must be between 0 and the electorate."),
    "quorum.bad_threshold": gettext_lazy("A quorum must be a fraction between 0 and 1."),
    "quorum.negative_electorate": gettext_lazy("The electorate cannot be negative."),
    "quorum.not_reached": gettext_lazy(
        "No quorum: %(present)s members present, %(required)s needed (%(missing)s missing)."
    ),
    "ruleset.bad_value": gettext_lazy("“%(value)s” is not a valid value for %(name)s."),
    "ruleset.no_changes": gettext_lazy("Say which parameters change."),
    "ruleset.unknown_parameter": gettext_lazy("Unknown parameter %(name)s."),
    "ruleset.unknown_profile": gettext_lazy("Unknown ruleset profile %(name)s."),
    "tally.more_votes_than_attendees": gettext_lazy(
        "%(cast)s votes were counted but only %(attendees)s members attend."
    ),
    "tally.bad_seats": gettext_lazy("Cannot fill %(seats)s seats from %(count)s candidates."),
    "tally.duplicate_candidate": gettext_lazy("A candidate is listed twice."),
    "tally.duplicate_mark": gettext_lazy("Ballot %(number)s marks a candidate twice."),
    "tally.tie": gettext_lazy(
        "%(candidates)s tie with %(votes)s votes for %(seats)s seat(s); a tie-break is needed."
    ),
    "tally.unknown_candidate": gettext_lazy(
        "Ballot %(number)s names %(candidate)s, who is not standing."
    ),
    "tally.negative_count": gettext_lazy("Vote counts cannot be negative."),
    "tally.unknown_rule": gettext_lazy("Unknown decision rule %(rule)s."),
    "token.no_name": gettext_lazy("Give the token a name."),
    "token.revoked": gettext_lazy("This token was already revoked."),
    "vote.already_cast": gettext_lazy("This person has already voted on this motion."),
    "vote.assembly_not_in_session": gettext_lazy("The assembly is not in session."),
    "vote.bad_choice": gettext_lazy("A vote is yes, no or abstain."),
    "vote.bad_code": gettext_lazy("That voting code is not valid for this assembly."),
    "vote.closed": gettext_lazy("Voting on this motion is not open."),
    "vote.counts_required": gettext_lazy("Enter the counted yes, no and abstain votes."),
    "vote.not_attending": gettext_lazy("%(name)s is not recorded as present."),
    "vote.not_draft": gettext_lazy("This motion has already been put to the vote."),
    "vote.wrong_method": gettext_lazy("This motion is not voted that way."),
    # Lotteries (comuna/lots) and the sortition core they show.
    "lots.already_volunteered": gettext_lazy("%(name)s is already in the pool."),
    "lots.bad_code": gettext_lazy("That voting code is not valid for an assembly in session."),
    "lots.bad_feature": gettext_lazy(
        "Feature %(name)s: use lowercase letters, digits and _ (not “id”)."
    ),
    "lots.bad_number": gettext_lazy("Minimums and maximums must be whole numbers."),
    "lots.bad_option": gettext_lazy("Unknown method or pool."),
    "lots.bad_quota": gettext_lazy("Quota %(feature)s = %(value)s is not valid."),
    "lots.bad_seats": gettext_lazy("A lottery has between 1 and 1000 seats."),
    "lots.compute_failed": gettext_lazy("The computation failed (%(reason)s)."),
    "lots.computing": gettext_lazy("The probabilities are being computed."),
    "lots.crashed": gettext_lazy("The computation stopped unexpectedly; try again."),
    "lots.infeasible": gettext_lazy(
        "No panel meets the quotas: change the quotas shown as conflicting, or add volunteers."
    ),
    "lots.no_features": gettext_lazy("Choose at least one feature for the quotas."),
    "lots.no_numbers": gettext_lazy(
        "Enter the numbers announced in the assembly (up to 200 characters)."
    ),
    "lots.no_title": gettext_lazy("A lottery needs a title."),
    "lots.not_a_member": gettext_lazy("%(name)s is not a member of this body."),
    "lots.not_by_volunteers": gettext_lazy("This lottery draws from the whole census."),
    "lots.wrong_stage": gettext_lazy("The lottery is %(stage)s; this step needs it %(needed)s."),
    "lottery.bad_portfolio": gettext_lazy(
        "The portfolio breaks a quota or its weights do not add up to 1."
    ),
    "lottery.digest_mismatch": gettext_lazy("The pool does not match its published digest."),
    "sortition.bad_panel_size": gettext_lazy(
        "The seats must be between 1 and the number of people in the pool (%(pool)s), not %(size)s."
    ),
    "sortition.bad_person": gettext_lazy("Person %(id)s lacks a feature value."),
    "sortition.bad_quota": gettext_lazy(
        "Quota %(feature)s = %(value)s: the minimum must not exceed the maximum (%(min)s..%(max)s)."
    ),
    "sortition.duplicate_person": gettext_lazy("Person %(id)s appears twice."),
    "sortition.duplicate_quota": gettext_lazy("A feature value has two quotas."),
    "sortition.empty_portfolio": gettext_lazy("The lottery has no panel to draw."),
    "sortition.infeasible": gettext_lazy("No panel meets the quotas."),
    "sortition.infeasible_quotas": gettext_lazy("No panel meets the quotas."),
    "sortition.solver_failed": gettext_lazy("The linear programme did not solve."),
    "sortition.too_many_panels": gettext_lazy("The computation did not converge."),
    "sortition.unknown_algorithm": gettext_lazy("Unknown method %(algorithm)s."),
    "sortition.unknown_value": gettext_lazy(
        "Person %(id)s has %(feature)s = %(value)s, which has no quota."
    ),
}


def describe(error: ComunaError) -> str:
    """The error in the active language, with its parameters filled in."""
    template = MESSAGES.get(error.code)
    if template is None:
        return _("The operation was refused (%(code)s).") % {"code": error.code}
    try:
        return str(template) % {k: v for k, v in error.params.items()}
    except (KeyError, TypeError, ValueError):
        return str(template)


def describe_rows(error: ComunaError) -> list[str]:
    """Row-level errors carried by a rejected import, each translated."""
    described = []
    for line, code, params in error.params.get("errors", []):
        message = describe(ComunaError(code, **{"line": line, **params}))
        # Codes shared with single-row forms (census.id_taken...) have no line in their text;
        # a rejected file must still say where each error is.
        if "%(line)s" not in str(MESSAGES.get(code, "")):
            message = _("Line %(line)s: %(message)s") % {"line": line, "message": message}
        described.append(message)
    return described
