"""Builders for lottery tests: a council with volunteers in two sectors, through the services."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User

from comuna.lots import services
from comuna.lots.models import Lottery
from comuna.people import services as people
from comuna.people.models import Resident
from tests import builders

_batch = itertools.count(1)


def residents_in_sectors(body, count: int) -> list[Resident]:
    """``count`` adult members: sex alternating F/M, sector alternating Norte/Sur (by twos)."""
    batch = next(_batch)
    households = [
        people.add_household(body, code=f"N-{batch}", address="Calle 1", sector="Norte"),
        people.add_household(body, code=f"S-{batch}", address="Calle 2", sector="Sur"),
    ]
    return [
        people.register_resident(
            households[(i // 2) % 2],
            first_names=f"Vecina{i}" if i % 2 == 0 else f"Vecino{i}",
            last_names=f"Pérez{batch}x{i}",
            birth_date=dt.date(1970 + i, 3, 1),
            resident_since=dt.date(2010, 1, 1),
            sex="F" if i % 2 == 0 else "M",
        )
        for i in range(count)
    ]


def commission(body, volunteers: int = 12, seats: int = 5) -> Lottery:
    """A social-audit commission with ``volunteers`` signed up and gender + sector quotas."""
    marta = User.objects.get(username="marta")
    lottery = services.create_lottery(
        body,
        title="Contraloría social",
        panel_size=seats,
        features=["sex", "sector"],
        by=marta,
    )
    for resident in residents_in_sectors(body, volunteers):
        services.sign_up_volunteer(lottery, resident, by=marta)
    services.set_quotas(
        lottery,
        [
            ("sex", "F", 2, 3),
            ("sex", "M", 2, 3),
            ("sector", "Norte", 2, 3),
            ("sector", "Sur", 2, 3),
        ],
    )
    return lottery


def drawn(body, announced: str = "4 1 6 2 2 5") -> Lottery:
    marta = User.objects.get(username="marta")
    lottery = commission(body)
    services.announce_lottery(lottery, by=marta)
    services.compute_lottery(lottery, by=marta)
    services.draw_lottery(lottery, announced=announced, by=marta)
    lottery.refresh_from_db()
    return lottery


def council():
    return builders.make_council(residents=0)
