"""Helpers for the tests of committee papers (issue 14), used by tests/test_routes.py: an
uploaded file and an annex on a report, made directly in the database, and their addresses."""
import hashlib

from app.extensions import db
from tests import pdf_samples


def _annex(report):
    from app.models import ReportAnnex

    report = db.session.merge(report)
    if not report.annexes:
        data = pdf_samples.a_pdf("annex")
        db.session.add(ReportAnnex(report=report, letter="A", title="Improvement Board Dashboard",
                                   filename="dashboard.pdf", content_type="application/pdf",
                                   sha256=hashlib.sha256(data).hexdigest(), size=len(data), data=data))
        db.session.commit()
    return report.annexes[0]


def annex_url(report) -> str:
    annex = _annex(report)
    return f"/reports/{annex.report_id}/annexes/{annex.id}"


def remove_annex_url(report) -> str:
    return annex_url(report) + "/remove"


def paper_file_url(report) -> str:
    """The report given an uploaded paper file (once), and the file's address."""
    report = db.session.merge(report)
    if report.source_data is None:
        data = pdf_samples.a_pdf("the paper")
        report.source_filename, report.source_content_type = "paper.pdf", "application/pdf"
        report.source_data, report.source_sha256 = data, hashlib.sha256(data).hexdigest()
        db.session.commit()
    return f"/reports/{report.id}/paper-file"
