"""The recall referendum of a parliament spokesperson (LOC Art. 50, ADR 0066).

Once 10 % of the federation's electors have signed the petition (``offices`` counts them),
the whole electorate votes in a consultation of the federation's tree; the delegate is
recalled if a majority votes yes and turnout is more than 15 % of the register. Closing the
count settles the recall in the same transaction (``close_consultation`` calls ``settle``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.bodies.services import post_entry
from comuna.core.errors import RuleError
from comuna.federation.models import Consultation
from comuna.federation.services.common import members_of, now_or, params_of
from comuna.federation.services.consultations import start_consultation
from comuna.offices import recall_services
from comuna.offices.models import Recall

QUESTION = "¿Revocar el mandato del vocero o vocera de {member} ante el Parlamento de {body}?"


@transaction.atomic
def open_recall_referendum(
    recall: Recall, *, by: User, now: dt.datetime | None = None
) -> Consultation:
    """Put a recall whose petition reached its threshold to the federation's electorate."""
    recall = (
        Recall.objects.select_for_update(of=("self",))
        .select_related("body", "term__post__body")
        .get(pk=recall.pk)
    )
    if recall.vote != Recall.Vote.REFERENDUM or recall.status != Recall.Status.REFERENDUM:
        raise RuleError("recall.no_referendum_due", "This recall is not awaiting a referendum.")
    if Consultation.objects.filter(recall=recall).exists():
        raise RuleError("recall.referendum_open", "The recall referendum is already open.")
    body = recall.body
    params = params_of(body)
    rule = {
        "people": "majority_of_votes",
        "turnout_quorum": params["delegate_recall_turnout"],
        "turnout_strict": True,
    }
    consultation = start_consultation(
        body, members_of(body),
        question=QUESTION.format(member=recall.term.post.body.name, body=body.name),
        rules={body.kind: rule}, by=by, kind=Consultation.Kind.RECALL, now=now,
    )  # fmt: skip
    consultation.recall = recall
    consultation.save(update_fields=["recall"])
    post_entry(
        body, "recall.put_to_referendum",
        {"recall": recall.pk, "consultation": consultation.pk, "by": by.username}, now,
    )  # fmt: skip
    return consultation


def settle(consultation: Consultation, approved: bool, now: dt.datetime | None) -> None:
    """Carry out the referendum's result (inside the closing transaction)."""
    assert consultation.recall is not None
    recall_services.settle_recall_by_referendum(
        consultation.recall, approved, on=timezone.localdate(now_or(now)),
        ref={"consultation": consultation.pk}, now=now,
    )  # fmt: skip
