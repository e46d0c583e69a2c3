"""Quorum rules for assemblies: how many members must be present for a call to be valid.

The threshold is a fraction of the electorate (LOCC Art. 22: 30 % on first call, 20 % on
second call); the required number of people is the smallest whole number at or above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from comuna.core.errors import InputError


@dataclass(frozen=True, slots=True)
class QuorumResult:
    electorate: int
    present: int
    threshold: Fraction
    required: int

    @property
    def reached(self) -> bool:
        return self.present >= self.required

    @property
    def missing(self) -> int:
        """How many more members must arrive for the quorum (0 when reached)."""
        return max(0, self.required - self.present)

    @property
    def share(self) -> Fraction:
        """Present members as a fraction of the electorate."""
        return Fraction(self.present, self.electorate) if self.electorate else Fraction(0)


def required_attendance(electorate: int, threshold: Fraction, *, strict: bool = False) -> int:
    """Smallest head count that is at least ``threshold`` of ``electorate`` (exact ceiling),
    or, when ``strict``, more than it (LOC Art. 50: turnout "mayor al quince por ciento")."""
    if electorate < 0:
        raise InputError("quorum.negative_electorate", "The electorate cannot be negative.")
    # Compared through numerator and denominator: Fraction comparisons are slow in bulk.
    if not 0 <= threshold.numerator <= threshold.denominator:
        raise InputError(
            "quorum.bad_threshold",
            "A quorum must be a fraction between 0 and 1, not {threshold}.",
            threshold=str(threshold),
        )
    # Integer ceiling of numerator * electorate / denominator: exact, no Fraction per call.
    # Strictly more: the floor plus one.
    if strict:
        return threshold.numerator * electorate // threshold.denominator + 1
    return -(-threshold.numerator * electorate // threshold.denominator)


def check_quorum(
    electorate: int, present: int, threshold: Fraction, *, strict: bool = False
) -> QuorumResult:
    """Quorum of ``present`` members out of ``electorate`` against ``threshold`` (more than
    it when ``strict``)."""
    if present < 0 or present > electorate:
        raise InputError(
            "quorum.bad_attendance",
            "Attendance {present} must be between 0 and the electorate {electorate}.",
            present=present,
            electorate=electorate,
        )
    return QuorumResult(
        electorate=electorate,
        present=present,
        threshold=threshold,
        required=required_attendance(electorate, threshold, strict=strict),
    )
