"""Signals the offices app sends inside its own transactions, so that other apps can follow
an office without the offices app importing them (ADR 0065).

Receivers run in the sender's transaction: an error in a receiver rolls the whole act back.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``recall_services.settle_recall`` once a recall is carried out, with the keyword
# arguments ``recall``, ``term`` (now ended, reason "recalled"), ``successor`` (the alternate's
# new Term, or None when the seat is left vacant), ``on`` (the date) and ``now``.
term_recalled = Signal()
