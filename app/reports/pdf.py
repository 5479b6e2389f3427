"""The report as a PDF that looks like the council's: WeasyPrint, page numbers, bookmarks."""
from flask import current_app, render_template

from app.reports import content as C
from app.reports import service


def render_pdf(report, data: dict, version=None) -> bytes:
    from weasyprint import CSS, HTML

    html = render_template(
        "reports/print.html", report=report, data=data, sections=C.numbered_sections(data),
        implications=C.IMPLICATIONS, abbreviations=C.abbreviations(data), compiled=data.get("compiled") or {},
        changes=data.get("changes") or {}, version=version,
        approved=[v for v in report.versions if v.approved_at is not None],
    )
    css = CSS(filename=f"{current_app.static_folder}/css/print.css")
    return HTML(string=html, base_url=current_app.static_folder).write_pdf(
        stylesheets=[css], pdf_variant="pdf/ua-1")


__all__ = ["render_pdf", "service"]
