"""The acta of an assembly: the data (read-only) and its PDF rendering.

The same ``gather`` feeds the printable HTML page and the PDF, so both say the same thing.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from comuna.assemblies.models import Assembly
from comuna.assemblies.services import quorum_of
from comuna.bodies.models import RecordEntry


def gather(assembly: Assembly) -> dict[str, Any]:
    attendance = list(
        assembly.attendance.select_related("resident").order_by(
            "resident__last_names", "resident__first_names"
        )
    )
    motions = list(assembly.motions.select_related("decision", "agenda_item").order_by("id"))
    quorum = (
        quorum_of(assembly, assembly.opened_on_call or 1, present=len(attendance))
        if assembly.electorate_at_opening is not None or assembly.status == Assembly.Status.CONVENED
        else None
    )
    entries = RecordEntry.objects.filter(
        body=assembly.body, payload__assembly=assembly.pk
    ).order_by("seq")
    return {
        "assembly": assembly,
        "agenda": list(assembly.agenda.all()),
        "attendance": attendance,
        "motions": motions,
        "quorum": quorum,
        "record_entries": list(entries.only("seq", "kind", "hash")),
        "signatures": 6,
    }


def _heading(data: dict[str, Any]) -> list[str]:
    assembly = data["assembly"]
    when = date_format(timezone.localtime(assembly.first_call_at), "DATETIME_FORMAT")
    lines = [
        f"{_('Place')}: {assembly.place}",
        f"{_('Convened for')}: {when}",
        f"{_('Status')}: {assembly.get_status_display()}",
    ]
    quorum = data["quorum"]
    if quorum is not None and assembly.opened_on_call:
        lines.append(
            _(
                "Opened on call %(call)s with %(present)s of %(electorate)s members present "
                "(quorum %(required)s)."
            )
            % {
                "call": assembly.opened_on_call,
                "present": quorum.present,
                "electorate": quorum.electorate,
                "required": quorum.required,
            }
        )
    return lines


def _decision_line(motion: Any) -> str:
    decision = getattr(motion, "decision", None)
    if decision is None:
        return _("Not decided")
    verdict = _("APPROVED") if decision.approved else _("REJECTED")
    return _(
        "Decision %(number)s: %(verdict)s — yes %(yes)s, no %(no)s, abstain %(abstain)s; "
        "%(needed)s needed of %(attendees)s attending"
    ) % {
        "number": decision.number,
        "verdict": verdict,
        "yes": decision.yes,
        "no": decision.no,
        "abstain": decision.abstain,
        "needed": decision.needed,
        "attendees": decision.attendees,
    }


def _text(value: object) -> str:
    """Typed text as a Paragraph's content: ReportLab reads markup (``<img src>`` even reads
    files), so what people typed is escaped; line breaks are kept."""
    return escape(str(value)).replace("\n", "<br/>")


def render_pdf(data: dict[str, Any]) -> bytes:
    styles = getSampleStyleSheet()
    assembly = data["assembly"]
    story: list[Any] = [
        Paragraph(_("Acta of the citizens' assembly"), styles["Title"]),
        Paragraph(_text(assembly.body), styles["Heading2"]),
    ]
    story += [Paragraph(_text(line), styles["Normal"]) for line in _heading(data)]
    story.append(Paragraph(_("Agenda"), styles["Heading3"]))
    for item in data["agenda"]:
        story.append(Paragraph(_text(f"{item.position}. {item.title}"), styles["Normal"]))
        if item.notes:
            story.append(Paragraph(_text(item.notes), styles["Italic"]))
    story.append(Paragraph(_("Decisions"), styles["Heading3"]))
    for motion in data["motions"]:
        story.append(
            Paragraph(
                f"<b>{_text(motion.title)}</b> ({motion.get_method_display()})", styles["Normal"]
            )
        )
        story.append(Paragraph(_decision_line(motion), styles["Normal"]))
    if assembly.summary:
        story += [
            Paragraph(_("Summary of the debates"), styles["Heading3"]),
            Paragraph(_text(assembly.summary), styles["Normal"]),
        ]
    story.append(
        Paragraph(_("Attendance (%(n)s)") % {"n": len(data["attendance"])}, styles["Heading3"])
    )
    rows = [[_("No."), _("Name"), _("Identity document"), _("Signature")]]
    rows += [
        [str(i), a.resident.full_name, a.resident.id_number, ""]
        for i, a in enumerate(data["attendance"], 1)
    ]
    table = Table(rows, colWidths=[1.2 * cm, 7 * cm, 4 * cm, 5 * cm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 9)]
        )
    )
    story += [table, Spacer(1, 0.8 * cm)]
    story.append(Paragraph(_("Signatures of the spokespeople"), styles["Heading3"]))
    sig = Table(
        [["", ""]] * (data["signatures"] // 2), colWidths=[8 * cm, 8 * cm], rowHeights=1.5 * cm
    )
    sig.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.black)]))
    story.append(sig)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=LETTER, title=_("Acta"), author="Comuna").build(story)
    return buffer.getvalue()
