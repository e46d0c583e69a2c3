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
    # Participatory budgets (comuna/budgets) and the pabulib files they import.
    "budget.already_voted": gettext_lazy("This member has already voted in this process."),
    "budget.bad_amount": gettext_lazy(
        "“%(value)s” is not a positive amount with at most two decimals."
    ),
    "budget.bad_ballot_kind": gettext_lazy("Unknown kind of ballot."),
    "budget.bad_code": gettext_lazy("That voting code is not valid for this process."),
    "budget.bad_decision": gettext_lazy(
        "Decision %(number)s is not an approved decision of this body."
    ),
    "budget.bad_import_project": gettext_lazy("Project %(project)s cannot be imported."),
    "budget.bad_import_voter": gettext_lazy("A voter id is longer than 40 characters."),
    "budget.bad_marks": gettext_lazy("A ballot marks each project at most once."),
    "budget.bad_ranks": gettext_lazy("Number the chosen projects 1, 2, 3… without gaps."),
    "budget.empty_ballot": gettext_lazy("The ballot chooses no project."),
    "budget.file_not_text": gettext_lazy("The file is not UTF-8 text."),
    "budget.file_too_large": gettext_lazy("The file is too large."),
    "budget.no_ballots": gettext_lazy("No ballot has been cast."),
    "budget.no_next_phase": gettext_lazy("This process has no further phase."),
    "budget.no_project_title": gettext_lazy("A project needs a title."),
    "budget.no_result": gettext_lazy("This process has no result yet."),
    "budget.no_projects": gettext_lazy("There are no proposals to review."),
    "budget.no_title": gettext_lazy("A budget process needs a title."),
    "budget.not_a_voter": gettext_lazy("%(name)s is not in this process's electorate."),
    "budget.not_proposals": gettext_lazy("Proposals are closed for this process."),
    "budget.not_review": gettext_lazy("Projects are reviewed in the review phase."),
    "budget.not_voting": gettext_lazy("Voting is not open in this process."),
    "budget.nothing_feasible": gettext_lazy("No project is feasible."),
    "budget.points_required": gettext_lazy("Say how many points each voter shares out."),
    "budget.reason_required": gettext_lazy("Say why the project is not feasible."),
    "budget.receipt_collision": gettext_lazy("Please try again."),
    "budget.too_costly": gettext_lazy(
        "The chosen projects cost %(total)s; at most %(limit)s is allowed."
    ),
    "budget.too_many_points": gettext_lazy(
        "The ballot gives %(used)s points; each voter has %(points)s."
    ),
    "budget.too_many_projects": gettext_lazy(
        "The ballot chooses %(count)s projects; at most %(limit)s are allowed."
    ),
    "budget.unknown_project": gettext_lazy("No project %(project)s in this process."),
    "budget.unreviewed": gettext_lazy("Review every project before the vote."),
    "pb.bad_meta": gettext_lazy("Line %(line)s: a META row needs key;value."),
    "pb.bad_number": gettext_lazy("Line %(line)s: %(what)s must be a non-negative number."),
    "pb.bad_points": gettext_lazy("Line %(line)s: the points do not match the vote."),
    "pb.bad_row": gettext_lazy(
        "Line %(line)s: %(found)s fields where the header has %(expected)s."
    ),
    "pb.bad_vote": gettext_lazy("Line %(line)s: the vote names an unknown project or repeats one."),
    "pb.ballot_length": gettext_lazy("A voter chose %(count)s projects, outside the limits."),
    "pb.duplicate_project": gettext_lazy("Line %(line)s: a project id is empty or repeated."),
    "pb.duplicate_section": gettext_lazy("Line %(line)s: second %(section)s section."),
    "pb.duplicate_voter": gettext_lazy("Line %(line)s: a voter votes twice."),
    "pb.missing_column": gettext_lazy("Line %(line)s: the header lacks column %(column)s."),
    "pb.missing_section": gettext_lazy("The %(section)s section is missing or empty."),
    "pb.no_budget": gettext_lazy("The META section has no budget."),
    "pb.no_section": gettext_lazy("Line %(line)s: data before the META section."),
    "pb.no_voters": gettext_lazy("The Method of Equal Shares needs at least one voter."),
    "pb.option": gettext_lazy("An option of the budget rule is not valid (%(name)s)."),
    "pb.tie": gettext_lazy(
        "Projects %(candidates)s tie; the ruleset must give a tie-break (budget_tie_break)."
    ),
    "pb.tie_break_incomplete": gettext_lazy("The tie-break order lacks %(projects)s."),
    "pb.tie_criteria": gettext_lazy("Unknown tie-break criteria."),
    "pb.unknown_project": gettext_lazy("A ballot names an unknown project %(project)s."),
    "pb.vote_type": gettext_lazy("Unknown vote type %(vote_type)s."),
    "spending.already_reversed": gettext_lazy("This line was already reversed."),
    "spending.bad_amount": gettext_lazy(
        "“%(value)s” is not a positive amount with at most two decimals."
    ),
    "spending.bad_progress": gettext_lazy("Progress is a percentage from 0 to 100."),
    "spending.incomplete": gettext_lazy("Say what was paid and where the evidence is kept."),
    "spending.not_in_execution": gettext_lazy(
        "Spending is recorded for funded projects in the execution phase."
    ),
    "spending.over_allocation": gettext_lazy(
        "This would bring the spending to %(total)s, above the allocation of %(allocation)s;"
        " the assembly must approve it (choose its decision)."
    ),
    "spending.reason_required": gettext_lazy("Say why the line is reversed."),
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
    "role.bad_reason": gettext_lazy("Unknown reason %(reason)s."),
    "role.gone": gettext_lazy("That role was already taken away."),
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
    "census.household_exists": gettext_lazy("Household %(household)s already exists."),
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
    # The treasury (comuna/economy) and its double-entry core (comuna/core/ledger.py).
    "ledger.already_reversed": gettext_lazy("This entry was already reversed or is a reversal."),
    "ledger.bad_amount": gettext_lazy("“%(amount)s” is not a positive amount in cents."),
    "ledger.bad_decision": gettext_lazy(
        "Decision %(number)s is not an approved decision of this body."
    ),
    "ledger.foreign_account": gettext_lazy("Every account must belong to this body."),
    "ledger.fund_short": gettext_lazy(
        "The participatory-budget fund holds %(held)s; the funded projects need %(needed)s."
        " Record the money received into the fund first."
    ),
    "ledger.incomplete": gettext_lazy("Say what the entry is and where the evidence is kept."),
    "ledger.insufficient": gettext_lazy("%(account)s holds %(held)s; it cannot pay %(amount)s."),
    "ledger.no_account": gettext_lazy("Every line needs an account."),
    "ledger.reason_required": gettext_lazy("Say why the entry is reversed."),
    "ledger.reverse_the_spending_line": gettext_lazy(
        "This payment is a spending line of a budget project: reverse the line on the project's"
        " page."
    ),
    "ledger.same_account": gettext_lazy("Money must move between two different accounts."),
    "ledger.too_few_lines": gettext_lazy("An entry needs at least two lines."),
    "ledger.unbalanced": gettext_lazy("Debits and credits differ by %(difference)s."),
    "ledger.unknown_account": gettext_lazy("There is no account %(account)s for this."),
    "ledger.zero_line": gettext_lazy("A line of zero moves nothing."),
    # Federation from below (comuna/federation).
    "consultation.already_reported": gettext_lazy("%(name)s has already reported its count."),
    "consultation.already_voted": gettext_lazy("%(name)s has already voted."),
    "consultation.bad_choice": gettext_lazy("A ballot says yes, no or blank."),
    "consultation.bad_rule": gettext_lazy("The rule for level %(level)s is not valid."),
    "consultation.closed": gettext_lazy("This consultation is closed."),
    "consultation.counts_required": gettext_lazy("Enter at least the yes and no counts."),
    "consultation.mixed_sources": gettext_lazy(
        "Ballots were cast on phones here: report those, not a paper count."
    ),
    "consultation.more_ballots_than_members": gettext_lazy(
        "%(cast)s ballots but only %(eligible)s members on the register."
    ),
    "consultation.no_ballots": gettext_lazy("No ballot was cast here: enter the paper count."),
    "consultation.no_councils": gettext_lazy("There is no council to vote in."),
    "consultation.no_question": gettext_lazy("Write the question put to the members."),
    "consultation.not_a_member": gettext_lazy("%(name)s is not on the register of this council."),
    "consultation.not_in_tree": gettext_lazy("%(name)s does not vote in this consultation."),
    "delegate.alternate_is_delegate": gettext_lazy(
        "The alternate must be someone other than the delegate."
    ),
    "delegate.not_a_member": gettext_lazy("%(name)s is not a member of %(body)s."),
    "delegate.too_young": gettext_lazy("A delegate must be at least %(age)s."),
    "federation.already_member": gettext_lazy("%(body)s is already a member."),
    "federation.bad_ratification": gettext_lazy(
        "%(ratified)s ratified and %(rejected)s refused out of %(members)s member bodies."
    ),
    "federation.meeting_not_in_session": gettext_lazy(
        "The decision must be taken by an assembly of %(name)s in session."
    ),
    "federation.meeting_required": gettext_lazy(
        "Name the assembly or parliament session that decided."
    ),
    "federation.negative_seats": gettext_lazy("Seat numbers cannot be negative."),
    "federation.not_a_member": gettext_lazy("%(body)s is not a member."),
    "federation.not_registered": gettext_lazy("%(name)s is not registered yet."),
    "federation.session_in_progress": gettext_lazy(
        "The parliament is in session; membership changes wait until it closes."
    ),
    "federation.unknown_item": gettext_lazy("The federation has no item %(item)s."),
    "federation.unknown_seat": gettext_lazy("This parliament has no seat %(seat)s."),
    "founding.bad_dissemination_date": gettext_lazy(
        "Dissemination starts between the notification and today."
    ),
    "founding.bad_kind": gettext_lazy("A %(kind)s is not founded from member bodies."),
    "founding.dissemination_not_over": gettext_lazy(
        "The charter is being disseminated until %(until)s."
    ),
    "founding.member_taken": gettext_lazy("%(name)s already belongs to another body."),
    "founding.no_charter": gettext_lazy("The founding charter cannot be empty."),
    "founding.no_registration_number": gettext_lazy("Give the registration number."),
    "founding.notified_in_future": gettext_lazy("The notification date is in the future."),
    "founding.too_few_members": gettext_lazy("A founding joins at least two member bodies."),
    "founding.wrong_member_kind": gettext_lazy("%(name)s cannot be a member of a %(kind)s."),
    "founding.wrong_step": gettext_lazy("The founding is not at that step."),
    "mandate.already_given": gettext_lazy("%(body)s has already given its mandate on this item."),
    "mandate.bad_choice": gettext_lazy("A mandate is yes, no, abstain or free."),
    "mandate.bad_vote": gettext_lazy("A vote is yes, no or abstain."),
    "mandate.no_deviation": gettext_lazy("This vote followed its mandate."),
    "mandate.session_opened": gettext_lazy(
        "The session has already opened: mandates are given before it opens."
    ),
    "parliament.agenda_closed": gettext_lazy("Items are added before the session opens."),
    "parliament.already_voted": gettext_lazy("This seat has already voted on this item."),
    "parliament.delegates_only": gettext_lazy(
        "Only delegates speak in this session: it is not an open parliament."
    ),
    "parliament.call_not_supported": gettext_lazy(
        "%(supporting)s member bodies asked for it; %(needed)s are needed."
    ),
    "parliament.item_without_title": gettext_lazy("Give the item a title."),
    "parliament.no_delegate": gettext_lazy("This seat has no delegate."),
    "parliament.no_delegates": gettext_lazy("No delegate has been elected yet."),
    "parliament.not_convened": gettext_lazy("This session cannot be opened now."),
    "parliament.not_in_session": gettext_lazy("The parliament is not in session."),
    "parliament.open_items": gettext_lazy("Vote on every item before closing the session."),
    "parliament.placeholder_seat": gettext_lazy(
        "This seat is filled by the socio-productive organisations or the communal bank."
    ),
    "parliament.seat_closed": gettext_lazy("This seat is closed."),
    "ratification.already_recorded": gettext_lazy("%(body)s has already decided on this."),
    "ratification.not_pending": gettext_lazy("This decision is not awaiting ratification."),
    "recall.already_requested": gettext_lazy("A recall has already been requested."),
    "recall.delegate_ended": gettext_lazy("%(name)s no longer holds the seat."),
    "request.already_made": gettext_lazy("%(body)s has already made this request."),
    "request.incomplete": gettext_lazy("Say what the request is about."),
    # Offices: elections, eligibility, terms, rotation, recalls (comuna/offices).
    "account.foreign_term": gettext_lazy("That term belongs to another body."),
    "account.term_not_in_force": gettext_lazy("That term is not in force."),
    "account.wrong_role": gettext_lazy("A seat on %(post)s gives the role %(kind)s, not this one."),
    "account.already_linked": gettext_lazy("That account is already tied to a term."),
    "blt.bad_candidate": gettext_lazy("Line %(line)s: there is no candidate number %(choice)s."),
    "blt.bad_header": gettext_lazy(
        "Line %(line)s: the first line must be two positive numbers: candidates and seats."
    ),
    "blt.bad_weight": gettext_lazy("Line %(line)s: a ballot weight must be positive."),
    "blt.bad_withdrawn": gettext_lazy(
        "Line %(line)s: withdrawn candidate %(value)s does not exist."
    ),
    "blt.empty": gettext_lazy("The ballot file is empty."),
    "blt.extra_lines": gettext_lazy("Line %(line)s: unexpected line after the title."),
    "blt.missing_names": gettext_lazy(
        "Line %(line)s: %(missing)s candidate name(s) missing after the ballots."
    ),
    "blt.no_end_marker": gettext_lazy(
        "Line %(line)s: the ballots never end with a line holding only 0."
    ),
    "blt.no_terminator": gettext_lazy("Line %(line)s: a ballot line must end with 0."),
    "blt.not_a_number": gettext_lazy("Line %(line)s: expected whole numbers."),
    "blt.repeated_candidate": gettext_lazy(
        "Line %(line)s: a candidate is ranked twice on one ballot."
    ),
    "blt.text_after_name": gettext_lazy("Line %(line)s: unexpected text after a quoted name."),
    "blt.unclosed_quote": gettext_lazy("Line %(line)s: a quoted name is not closed."),
    "election.already_standing": gettext_lazy("%(name)s is already standing in this election."),
    "election.already_voted": gettext_lazy("This voting code has already voted in this election."),
    "election.bad_ballots": gettext_lazy("Unknown kind of ballots."),
    "election.bad_lot": gettext_lazy(
        "List every candidate number once, in the order drawn by lot."
    ),
    "election.bad_marks": gettext_lazy("The ballot marks an unknown candidate, or one twice."),
    "election.blt_mismatch": gettext_lazy(
        "The file's candidates or seats differ from this election's: export the candidates in "
        "ballot order with their full names."
    ),
    "election.candidacies_closed": gettext_lazy("Candidacies for this election are closed."),
    "election.counts_required": gettext_lazy("Enter the votes of every candidate."),
    "election.in_future": gettext_lazy("A paper count is entered after the vote, not before."),
    "election.needs_assembly": gettext_lazy("Phone ballots are cast in an assembly: choose it."),
    "election.not_receiving": gettext_lazy("This election is no longer receiving candidacies."),
    "election.not_voting": gettext_lazy("This election is not taking ballots."),
    "election.one_mark": gettext_lazy("Mark one candidate only."),
    "election.too_few_candidates": gettext_lazy(
        "%(seats)s seats need at least %(seats)s candidates."
    ),
    "lot.duplicate_volunteer": gettext_lazy("A volunteer is listed twice."),
    "lot.no_seed": gettext_lazy("A draw needs a published seed."),
    "lot.too_few_volunteers": gettext_lazy("%(count)s volunteers cannot fill %(seats)s seats."),
    "offices.commission_member": gettext_lazy(
        "%(name)s sits on the electoral commission and may not stand for the units."
    ),
    "offices.cool_down": gettext_lazy(
        "%(name)s has served %(limit)s terms in a row and may stand again from %(until)s."
    ),
    "offices.kinship": gettext_lazy(
        "%(name)s lives in the household of %(names)s, who sits on the finance or social audit "
        "unit."
    ),
    "offices.not_a_resident": gettext_lazy("%(name)s does not live in this council's territory."),
    "offices.other_unit": gettext_lazy("%(name)s already stands for another unit (one unit only)."),
    "offices.holds_other_unit": gettext_lazy(
        "%(name)s is already a spokesperson of another unit (one unit only, LOCC Art. 11)."
    ),
    "offices.recall_barred": gettext_lazy(
        "%(name)s was recalled and may not stand until %(until)s."
    ),
    "offices.reelection_limit": gettext_lazy(
        "%(name)s has served %(limit)s terms in a row, the limit of the ruleset."
    ),
    "offices.residence_too_short": gettext_lazy(
        "%(name)s has lived here less than %(years)s year(s)."
    ),
    "offices.seats_taken": gettext_lazy("The post's seats are still held."),
    "offices.too_young": gettext_lazy("%(name)s is under %(age)s, the minimum age for this post."),
    "offices.unit_member": gettext_lazy(
        "%(name)s sits on the finance or social audit unit and may not join the electoral "
        "commission."
    ),
    "offices.unknown_resident": gettext_lazy("No resident %(key)s lives here."),
    "post.bad_value": gettext_lazy("A post has from 1 to 50 seats and a known rotation."),
    "post.exists": gettext_lazy("The post %(name)s already exists."),
    "post.no_name": gettext_lazy("A post needs a name."),
    "recall.already_open": gettext_lazy("A recall of this term is already under way."),
    "recall.already_signed": gettext_lazy("%(name)s has already signed this petition."),
    "recall.foreign_assembly": gettext_lazy("That assembly belongs to another body."),
    "recall.no_grounds": gettext_lazy("State the grounds of the recall."),
    "recall.no_referendum_due": gettext_lazy(
        "This recall is not awaiting a referendum: its petition needs more signatures."
    ),
    "recall.no_report_due": gettext_lazy("No report is due on this recall."),
    "recall.not_a_member": gettext_lazy("%(name)s is not a member of the assembly."),
    "recall.not_collecting": gettext_lazy("This petition no longer takes signatures."),
    "recall.not_ready": gettext_lazy("This recall is not ready to be put to the assembly."),
    "recall.term_not_in_force": gettext_lazy("That term is not in force."),
    "recall.too_early": gettext_lazy(
        "Too early: a recall of this term may be filed from %(on)s (LOPP Art. 16)."
    ),
    "recall.referendum_open": gettext_lazy("The recall referendum is already open."),
    "recall.unknown": gettext_lazy("No such recall in this body."),
    "report.empty": gettext_lazy("A report needs a text."),
    "report.unknown_decision": gettext_lazy("There is no decision %(number)s."),
    "report.foreign_decision": gettext_lazy("That decision belongs to another body."),
    "roster.empty": gettext_lazy("The roster is empty."),
    "roster.not_their_turn": gettext_lazy("It is not the turn of %(name)s's household."),
    "shift.bad_length": gettext_lazy("Shifts last at least one day."),
    "shift.no_members": gettext_lazy("A shift plan needs members."),
    "stv.bad_lot_order": gettext_lazy("The order drawn by lot must list every candidate once."),
    "stv.empty_lot": gettext_lazy("A lot needs an order or a seed."),
    "stv.no_seats": gettext_lazy("An election needs at least one seat."),
    "stv.tie": gettext_lazy(
        "Candidates %(candidates)s tie after stage %(stage)s: draw lots in the assembly and "
        "enter the order drawn."
    ),
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
