"""Writes for lotteries: prepare, announce (freeze and publish), compute, draw.

Other apps (offices whose ruleset rotates by lot, mediators for a case) call two services:
``prepare_lottery`` (pool of candidates, quotas, announced and computed in one step, its pool
digest published) and, later, in the assembly, ``draw_lottery`` with the numbers announced
there; the returned ``Draw`` holds the selected residents' ids (``Draw.resident_ids``). See
docs/guide.md, "Lotteries", and ADR 0081.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import threading
import time
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from comuna.assemblies.models import Assembly, Attendance
from comuna.bodies.models import Body
from comuna.bodies.services import post_entry
from comuna.commands.lottery import describe
from comuna.core.errors import ComunaError, InputError, RuleError
from comuna.core.lottery import LotteryResult, draw_panel, replay, select
from comuna.core.sortition import VERSION, check_panel_size, pool_digest
from comuna.core.sortition_check import check_feasibility
from comuna.core.sortition_csv import parse_pool
from comuna.lots import pool as pools
from comuna.lots.models import Draw, Lottery, Quota, Volunteer
from comuna.people.models import Resident

log = logging.getLogger(__name__)
FEATURE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# A computation that has said nothing for this long died with its process: it may restart.
STALE_AFTER = dt.timedelta(minutes=10)
_PROGRESS_EVERY = 0.2  # seconds between progress writes


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _locked(lottery: Lottery) -> Lottery:
    return Lottery.objects.select_for_update().select_related("body").get(pk=lottery.pk)


def _require(lottery: Lottery, stage: str) -> None:
    if lottery.stage != stage:
        raise RuleError(
            "lots.wrong_stage",
            "The lottery is {stage}; this step needs it {needed}.",
            stage=lottery.get_stage_display(),
            needed=Lottery.Stage(stage).label,
        )


def _check_features(features: list[str]) -> list[str]:
    clean = list(dict.fromkeys(f.strip().lower() for f in features if f.strip()))
    if not clean:
        raise InputError("lots.no_features", "Choose at least one feature for the quotas.")
    for name in clean:
        if name == "id" or not FEATURE_NAME.match(name):
            raise InputError(
                "lots.bad_feature",
                "Feature {name}: use lowercase letters, digits and _ (not “id”).",
                name=name,
            )
    return clean


@transaction.atomic
def create_lottery(
    body: Body,
    *,
    title: str,
    panel_size: int,
    features: list[str],
    by: User,
    purpose: str = Lottery.Purpose.COMMISSION,
    source: str = Lottery.Source.VOLUNTEERS,
    algorithm: str = Lottery.Algorithm.LEXIMIN,
    now: dt.datetime | None = None,
) -> Lottery:
    if not title.strip():
        raise InputError("lots.no_title", "A lottery needs a title.")
    if not 1 <= panel_size <= 1000:
        raise InputError("lots.bad_seats", "A lottery has between 1 and 1000 seats.")
    if algorithm not in Lottery.Algorithm.values or source not in Lottery.Source.values:
        raise InputError("lots.bad_option", "Unknown method or pool.")
    if purpose not in Lottery.Purpose.values:
        raise InputError("lots.bad_option", "Unknown method or pool.")
    return Lottery.objects.create(
        body=body,
        title=title.strip(),
        purpose=purpose,
        source=source,
        panel_size=panel_size,
        algorithm=algorithm,
        features=_check_features(features),
        created_by=by,
        created_at=_now(now),
    )


def _custom_values(lottery: Lottery, custom: dict[str, str]) -> dict[str, str]:
    wanted = [f for f in lottery.features if f not in pools.BUILTIN_FEATURES]
    return {f: str(custom.get(f, "")).strip()[:100] for f in wanted}


def _add_volunteer(
    lottery: Lottery, resident: Resident, custom: dict[str, str], by: User | None, now: Any
) -> Volunteer:
    lottery = _locked(lottery)
    _require(lottery, Lottery.Stage.PREPARING)
    if lottery.source != Lottery.Source.VOLUNTEERS:
        raise RuleError("lots.not_by_volunteers", "This lottery draws from the whole census.")
    day = timezone.localdate(_now(now))
    if not pools.members(lottery.body, day).filter(pk=resident.pk).exists():
        raise RuleError(
            "lots.not_a_member", "{name} is not a member of this body.", name=resident.full_name
        )
    try:
        with transaction.atomic():
            return Volunteer.objects.create(
                lottery=lottery,
                resident=resident,
                custom=_custom_values(lottery, custom),
                signed_up_at=_now(now),
                recorded_by=by,
            )
    except IntegrityError:
        raise RuleError(
            "lots.already_volunteered",
            "{name} is already in the pool.",
            name=resident.full_name,
        ) from None


@transaction.atomic
def sign_up_volunteer(
    lottery: Lottery,
    resident: Resident,
    *,
    by: User,
    custom: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Volunteer:
    """A spokesperson records that ``resident`` volunteers for the pool."""
    return _add_volunteer(lottery, resident, custom or {}, by, now)


@transaction.atomic
def sign_up_with_code(
    lottery: Lottery,
    voting_code: str,
    *,
    custom: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Volunteer:
    """A member volunteers from their phone with the voting code of an assembly in session."""
    attendance = (
        Attendance.objects.filter(
            assembly__body=lottery.body,
            assembly__status=Assembly.Status.IN_SESSION,
            voting_code=voting_code.strip().upper(),
        )
        .select_related("resident")
        .order_by("-recorded_at")
        .first()
    )
    if attendance is None:
        raise InputError(
            "lots.bad_code", "That voting code is not valid for an assembly in session."
        )
    return _add_volunteer(lottery, attendance.resident, custom or {}, None, now)


@transaction.atomic
def set_quotas(lottery: Lottery, rows: list[tuple[str, str, int, int]]) -> Lottery:
    """Replace the quotas: (feature, value, min, max) per row; rows 0..seats may be left out."""
    lottery = _locked(lottery)
    _require(lottery, Lottery.Stage.PREPARING)
    seen = set()
    for feature, value, low, high in rows:
        if feature not in lottery.features or (feature, value) in seen or len(value) > 100:
            raise InputError(
                "lots.bad_quota",
                "Quota {feature}={value} is not valid.",
                feature=feature,
                value=value,
            )
        if not 0 <= low <= high <= 10_000:
            raise InputError(
                "sortition.bad_quota",
                "Quota {feature}={value}: need 0 <= min <= max, got {min}..{max}.",
                feature=feature,
                value=value,
                min=low,
                max=high,
            )
        seen.add((feature, value))
    lottery.quotas.all().delete()
    Quota.objects.bulk_create(
        Quota(lottery=lottery, feature=f, value=v, min=low, max=high) for f, v, low, high in rows
    )
    return lottery


@transaction.atomic
def announce_lottery(lottery: Lottery, *, by: User, now: dt.datetime | None = None) -> Lottery:
    """Freeze the pool and quotas, publish their digest: nothing about the pool changes after."""
    lottery = _locked(lottery)
    _require(lottery, Lottery.Stage.PREPARING)
    moment = _now(now)
    pool = pools.build_pool(lottery, timezone.localdate(moment))
    check_panel_size(pool, lottery.panel_size)
    if not check_feasibility(pool, lottery.panel_size).feasible:
        raise RuleError("lots.infeasible", "No panel meets the quotas.")
    people_text, quota_text = pools.pool_csv(pool), pools.quotas_csv(pool)
    # The digest of the files as the command line reads them, so that outsiders get it too.
    digest = pool_digest(parse_pool(quota_text, people_text), lottery.panel_size)
    lottery.pool_csv, lottery.quotas_csv, lottery.pool_digest = people_text, quota_text, digest
    lottery.stage, lottery.announced_at = Lottery.Stage.ANNOUNCED, moment
    lottery.save()
    post_entry(
        lottery.body,
        "lottery.announced",
        {
            "lottery": lottery.pk,
            "title": lottery.title,
            "purpose": lottery.purpose,
            "panel_size": lottery.panel_size,
            "pool_size": len(pool.people),
            "pool_digest": digest,
            "features": list(pool.features),
            "quotas": [[q.feature, q.value, str(q.min), str(q.max)] for q in pool.quotas],
            "algorithm": lottery.algorithm,
            "version": VERSION,
            "announced_by": by.pk,
        },
        moment,
    )
    return lottery


def frozen_pool(lottery: Lottery):  # -> Pool
    return parse_pool(lottery.quotas_csv, lottery.pool_csv)


@transaction.atomic
def start_computation(
    lottery: Lottery,
    *,
    by: User,
    now: dt.datetime | None = None,
    background: bool | None = None,
) -> Lottery:
    """Mark the computation running and hand it to a background thread (or run it inline).

    The thread starts after the commit; it writes its progress to the lottery's row, which the
    page shows (refreshing itself every two seconds) until the probabilities are there.
    ``background`` defaults to the ``COMUNA_LOTTERY_WORKER`` setting ("thread" or "inline").
    """
    lottery = _locked(lottery)
    _require(lottery, Lottery.Stage.ANNOUNCED)
    moment = _now(now)
    started = lottery.computation_started_at
    if (
        lottery.computation == Lottery.Computation.RUNNING
        and started
        and (moment - started < STALE_AFTER)
    ):
        raise RuleError("lots.computing", "The probabilities are being computed.")
    Lottery.objects.filter(pk=lottery.pk).update(
        computation=Lottery.Computation.RUNNING,
        progress_stage="",
        progress_percent=0,
        computation_started_at=moment,
        computation_error="",
    )
    if background is None:
        background = settings.COMUNA_LOTTERY_WORKER == "thread"
    if background:
        worker = threading.Thread(target=_in_thread, args=(lottery.pk,), daemon=True)
        transaction.on_commit(worker.start)
    else:
        run_computation(lottery.pk)
    lottery.refresh_from_db()
    return lottery


def _in_thread(pk: int) -> None:
    try:
        run_computation(pk)
    finally:
        connection.close()


def _reporter(pk: int):  # -> Callable[[str, float], None]
    last = [0.0, ""]

    def report(stage: str, fraction: float) -> None:
        moment = time.monotonic()
        if stage == last[1] and moment - float(last[0]) < _PROGRESS_EVERY and fraction < 1:
            return
        last[0], last[1] = moment, stage
        Lottery.objects.filter(pk=pk, computation=Lottery.Computation.RUNNING).update(
            progress_stage=stage[:60], progress_percent=max(0, min(100, round(100 * fraction)))
        )

    return report


def run_computation(pk: int) -> None:
    """The worker: the fairest probabilities of an announced lottery, stored with progress.

    Runs outside any transaction (each progress report is its own write); the result is stored
    in one update that also moves the lottery to the computed stage.
    """
    lottery = Lottery.objects.get(pk=pk)
    running = Lottery.objects.filter(
        pk=pk, stage=Lottery.Stage.ANNOUNCED, computation=Lottery.Computation.RUNNING
    )
    try:
        result = select(frozen_pool(lottery), lottery.panel_size, lottery.algorithm, _reporter(pk))
    except ComunaError as error:
        running.update(computation=Lottery.Computation.FAILED, computation_error=error.code)
        return
    except Exception:  # the solver or the database: shown as a failure that may be retried
        log.exception("lottery %s: computation failed", pk)
        running.update(computation=Lottery.Computation.FAILED, computation_error="lots.crashed")
        return
    running.update(
        computation=Lottery.Computation.DONE,
        progress_percent=100,
        stage=Lottery.Stage.COMPUTED,
        result=describe(result, with_portfolio=True),
    )


def compute_lottery(lottery: Lottery, *, by: User) -> Lottery:
    """Compute synchronously (for other services and the command line); returns it computed."""
    lottery = start_computation(lottery, by=by, background=False)
    if lottery.computation == Lottery.Computation.FAILED:
        raise RuleError(
            "lots.compute_failed",
            "The computation failed ({reason}).",
            reason=lottery.computation_error,
        )
    return lottery


@transaction.atomic
def prepare_lottery(
    body: Body,
    *,
    title: str,
    candidates: list[Resident],
    seats: int,
    by: User,
    purpose: str = Lottery.Purpose.OFFICE,
    features: tuple[str, ...] = ("sex",),
    quotas: tuple[tuple[str, str, int, int], ...] = (),
    algorithm: str = Lottery.Algorithm.LEXIMIN,
    now: dt.datetime | None = None,
) -> Lottery:
    """A lottery among ``candidates``, announced and computed, ready for ``draw_lottery``.

    Without ``quotas`` every feature value may take 0..seats, so the lottery is uniform: each
    candidate's chance is seats / candidates. The announcement (pool digest) is in the record
    before anyone knows the numbers the assembly will draw with.
    """
    lottery = create_lottery(
        body,
        title=title,
        panel_size=seats,
        features=list(features),
        by=by,
        purpose=purpose,
        algorithm=algorithm,
        now=now,
    )
    for resident in candidates:
        _add_volunteer(lottery, resident, {}, by, now)
    set_quotas(lottery, list(quotas))
    announce_lottery(lottery, by=by, now=now)
    return compute_lottery(lottery, by=by)


def replayed(lottery: Lottery) -> LotteryResult:
    """The stored lottery rebuilt from its published portfolio, as ``comuna lottery --replay``."""
    record = lottery.result or {}
    width = len(record["features"])
    shapes = tuple(
        (
            {tuple(str(v) for v in entry[:width]): int(entry[width]) for entry in shape["counts"]},
            Fraction(shape["weight"]),
        )
        for shape in record["portfolio"]
    )
    return replay(frozen_pool(lottery), lottery.panel_size, record["algorithm"], shapes)


def portfolio_digest(result_json: dict[str, Any]) -> str:
    """SHA-256 of the portfolio as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(
        result_json["portfolio"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def draw_lottery(
    lottery: Lottery, *, announced: str, by: User, now: dt.datetime | None = None
) -> Draw:
    """Draw the panel with the numbers announced in the assembly; publish it in the record."""
    lottery = _locked(lottery)
    _require(lottery, Lottery.Stage.COMPUTED)
    announced = " ".join(announced.split())
    if not announced or len(announced) > 200:
        raise InputError(
            "lots.no_numbers", "Enter the numbers announced in the assembly (up to 200 characters)."
        )
    result = replayed(lottery)
    if result.pool_digest != lottery.pool_digest:  # pragma: no cover - frozen text cannot drift
        raise RuleError("lottery.digest_mismatch", "The pool does not match its digest.")
    drawn = draw_panel(result, announced)
    moment = _now(now)
    draw = Draw.objects.create(
        lottery=lottery,
        announced=drawn.announced,
        seed=drawn.seed,
        ticket=str(drawn.ticket),
        shape=drawn.shape,
        panel=list(drawn.panel),
        portfolio_digest=portfolio_digest(lottery.result or {}),
        drawn_at=moment,
        drawn_by=by,
    )
    lottery.stage = Lottery.Stage.DRAWN
    lottery.save(update_fields=["stage"])
    post_entry(lottery.body, "lottery.drawn", _drawn_payload(lottery, draw, result), moment)
    return draw


def _drawn_payload(lottery: Lottery, draw: Draw, result: LotteryResult) -> dict[str, Any]:
    return {
        "lottery": lottery.pk,
        "title": lottery.title,
        "panel_size": lottery.panel_size,
        "pool_digest": lottery.pool_digest,
        "portfolio_digest": draw.portfolio_digest,
        "algorithm": result.algorithm,
        "version": result.version,
        "denominator": str(result.denominator),
        "minimum_probability": (lottery.result or {})["minimum_exact"],
        "announced": draw.announced,
        "seed_procedure": "comuna-lottery-seed/1",
        "seed": draw.seed,
        "ticket": draw.ticket,
        "shape": draw.shape,
        "selection": list(draw.panel),
        "drawn_by": draw.drawn_by_id,
    }
