"""The report as a PDF that looks like the council's: WeasyPrint, page numbers, bookmarks."""
from flask import current_app, render_template

from app.reports import content as C
from app.reports import service


def render_pdf(report, data: dict, version=None, running_numbers: bool = True) -> bytes:
    """The report's PDF. For an agenda pack, `running_numbers=False` leaves the footer empty:
    the pack stamps its own page numbers through the whole pack."""
    from weasyprint import CSS, HTML

    html = render_template(
        "reports/print.html", report=report, data=data, sections=C.numbered_sections(data),
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


__all__ = ["render_pdf", "service"]
