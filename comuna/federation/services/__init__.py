"""Writes of the federation app, one module per domain noun; each public function is one
transaction that checks the rules and appends binding acts to the public record."""

from comuna.federation.services.consultations import (
    cast_consultation_ballot,
    close_consultation,
    open_consultation,
    report_unit,
)
from comuna.federation.services.delegate_offices import request_recall
from comuna.federation.services.founding import (
    disseminate_charter,
    join_federation,
    leave_federation,
    open_referendum,
    register_founding,
    start_founding,
)
from comuna.federation.services.mandates import (
    cast_delegate_vote,
    close_item,
    close_session,
    flag_deviation,
    ratify_item,
    record_mandate,
)
from comuna.federation.services.parliament import (
    add_item,
    convene_session,
    elect_delegate,
    give_floor,
    make_request,
    open_session,
)
from comuna.federation.services.recall_referendum import open_recall_referendum

__all__ = [
    "add_item",
    "cast_consultation_ballot",
    "cast_delegate_vote",
    "close_consultation",
    "close_item",
    "close_session",
    "convene_session",
    "disseminate_charter",
    "elect_delegate",
    "flag_deviation",
    "give_floor",
    "join_federation",
    "leave_federation",
    "make_request",
    "open_consultation",
    "open_recall_referendum",
    "open_referendum",
    "open_session",
    "ratify_item",
    "record_mandate",
    "register_founding",
    "report_unit",
    "request_recall",
    "start_founding",
]
