"""The report as a PDF that looks like the council's: WeasyPrint, page numbers, bookmarks.

An approved version never changes, so its PDF is built once, at approval, and kept with the
version (`ReportVersion.pdf`); every later request serves those bytes (`approved_pdf`). Only a
draft is rendered on request. Render time is bounded by what can be typed (the section limits
in content.py) and by the print layout (static/css/print.css lets a long table row break across
pages instead of being laid out again page after page).
"""
import hashlib
import json
import re

import sqlalchemy as sa
from flask import current_app, render_template

from app.extensions import db
from app.reports import content as C
from app.reports import service
from app.reports.papers import sections_for

# How many times a report was rendered by this process: the tests read it to prove that an
# approved version's PDF is served as kept, not rendered again.
renders = 0


LONG_WORD = re.compile(r"[^\s\u200b]{40}(?=[^\s\u200b])")


def breakable(value):
    """`value` (text, or lists and dicts of it) with a zero-width space after every 40 characters
    of an unbroken run (a long web address, a pasted row of dashes). WeasyPrint lays out an
    unbreakable word again for every line it might wrap onto, which took minutes for a long one
    (and without wrapping it runs off the page); with a break opportunity every 40 characters it
    wraps like any text. The space is invisible and is not in the PDF's text."""
    if isinstance(value, str):
        return LONG_WORD.sub(lambda m: m.group(0) + "\u200b", value)
    if isinstance(value, list):
        return [breakable(v) for v in value]
    if isinstance(value, dict):
        return {k: breakable(v) for k, v in value.items()}
    return value


def render_pdf(report, data: dict, version=None, running_numbers: bool = True) -> bytes:
    """The report's PDF. For an agenda pack, `running_numbers=False` leaves the footer empty:
    the pack stamps its own page numbers through the whole pack."""
    from weasyprint import CSS, HTML

    global renders
    if getattr(report, "source_content_type", None) == "application/pdf" and report.source_data:
        return report.source_data  # a paper uploaded as a PDF is its own PDF (app/reports/papers.py)
    renders += 1
    data = breakable(data)

    html = render_template(
        "reports/print.html", report=report, data=data, sections=sections_for(report, data),
        committee_name=service.committee_name(report),
        implications=C.IMPLICATIONS, abbreviations=C.abbreviations(data), compiled=data.get("compiled") or {},
        changes=data.get("changes") or {}, version=version,
        approved=[v for v in report.versions if v.approved_at is not None],
    )
    stylesheets = [CSS(filename=f"{current_app.static_folder}/css/print.css")]
    if not running_numbers:
        stylesheets.append(CSS(string="@page { @bottom-center { content: none; } }"))
    return HTML(string=html, base_url=current_app.static_folder).write_pdf(
        stylesheets=stylesheets, pdf_variant="pdf/ua-1")


def keep_pdf(report, version) -> None:
    """Build an approved version's PDF and keep it with the version (in the caller's
    transaction: at approval, the approval's)."""
    with db.session.no_autoflush:  # reading for the render must not write the approval early
        pdf = render_pdf(report, json.loads(version.content), version)
    version.pdf = pdf
    version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()


def approved_pdf(report, version) -> bytes:
    """The kept PDF of an approved version. A version approved before PDFs were kept gets its
    PDF built on this first request and kept; if two requests build it at once, the first to
    store it wins and both serve the stored bytes."""
    from app.models import ReportVersion

    if version.pdf is None:
        pdf = render_pdf(report, json.loads(version.content), version)
        db.session.execute(sa.update(ReportVersion).where(ReportVersion.id == version.id,
                                                          ReportVersion.pdf.is_(None))
                           .values(pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest()))
        db.session.commit()
        db.session.refresh(version)
    return version.pdf


__all__ = ["approved_pdf", "keep_pdf", "render_pdf", "service"]
