"""Offices in the populated council (``populated_scene``), through the real services.

Posts established from the ruleset and made by hand (named from ``words``); an election still
taking candidacies, one counted on paper a year and a half ago (its holder faces a recall
petition with one signature and has filed a report), one counted from phone ballots in the
assembly in session; a seat drawn by lot and a roster turn.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.utils import timezone

from comuna.offices import election_services as elections
from comuna.offices import recall_services as recalls
from comuna.offices import rotation_services as rotation
from comuna.offices import services as offices
from comuna.offices.models import Election, Post, Recall, Term
from comuna.people.models import Resident

if TYPE_CHECKING:
    from tests.apps.populated_scene import Populated, Words


def _paper(post: Post, ana: User, members: list[Resident], held_on: dt.date) -> Election:
    election = elections.call_election(post, by=ana, ballots="paper", held_on=held_on)
    for resident in members[:2]:
        elections.register_candidacy(election, resident, by=ana)
    elections.open_election(election, by=ana)
    return elections.count_election(election, by=ana, counts={1: 7, 2: 3})


def _phone(scene: Populated, post: Post, ana: User, members: list[Resident]) -> Election:
    election = elections.call_election(
        post, by=ana, ballots="phone", held_on=timezone.localdate(), assembly=scene.session
    )
    for resident in members[2:4]:
        elections.register_candidacy(election, resident, by=ana)
    elections.open_election(election, by=ana)
    codes = scene.session.attendance.order_by("pk").values_list("voting_code", flat=True)
    for code, mark in zip(codes[:3], (1, 1, 2), strict=True):
        elections.cast_election_ballot(election, code, [mark])
    return elections.count_election(election, by=ana)


def populated_offices(scene: Populated, words: Words) -> None:
    body = scene.body
    ana = User.objects.get(username="ana")  # the electoral commission
    offices.establish_posts(body, by=ana)
    members = list(Resident.objects.of_body(body).order_by("pk"))
    committee = Post.objects.get(body=body, unit=Post.Unit.EXECUTIVE)
    made = {
        rotation_kind: offices.create_post(
            body, name=words.up_to(200), seats=seats, rotation=rotation_kind, by=ana
        )
        for rotation_kind, seats in (
            (Post.Rotation.ELECTION, 1), (Post.Rotation.LOT, 2), (Post.Rotation.ROSTER, 1)
        )
    }  # fmt: skip
    today = timezone.localdate()
    paper = _paper(committee, ana, members, today - dt.timedelta(days=550))
    phone = _phone(scene, made[Post.Rotation.ELECTION], ana, members)
    waiting = elections.call_election(
        Post.objects.get(body=body, unit=Post.Unit.AUDIT), by=ana, ballots="paper", held_on=today
    )
    elections.register_candidacy(waiting, members[5], by=ana)
    rotation.draw_by_lot(
        made[Post.Rotation.LOT], members[6:9], seed=words.one()[:100], by=ana, on=today
    )
    rotation.take_roster_turn(made[Post.Rotation.ROSTER], members[9], by=ana, on=today)
    term = Term.objects.get(election=paper, seat=1)
    offices.file_report(term, words.lines(), by=ana, on=today)
    recall = recalls.open_recall(term, grounds=words.lines(), by=ana, on=today)
    recalls.sign_recall(recall, members[10], by=ana, on=today)
    scene.offices = {
        "posts": list(Post.objects.filter(body=body).values_list("pk", flat=True)),
        "elections": [paper.pk, phone.pk, waiting.pk],
        "holders": sorted(
            set(Term.objects.filter(post__body=body).values_list("holder", flat=True))
        ),
        "recalls": list(Recall.objects.filter(body=body).values_list("pk", flat=True)),
    }
