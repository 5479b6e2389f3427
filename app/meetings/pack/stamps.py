"""The pack's page numbers: "Page N" at the foot of every numbered page.

The stamps are one WeasyPrint document with a numbered empty page per stamped page; each page
of it becomes a form XObject drawn over the matching pack page, so the pages' own content
streams are never parsed or rewritten (fast, and pages that share objects stay independent).
The stamp is marked as a pagination artifact, so it is not read out as part of the page.
"""
from __future__ import annotations

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)

STAMP_NAME = "/DocketPageNumber"


def _stamp_forms(writer: PdfWriter, numbers: list[int]) -> tuple[list[IndirectObject], float]:
    """One form XObject per number given showing "Page N", and the stamps' page width."""
    from app.meetings.pack import _as_reader, _render

    html = ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Page numbers</title></head>'
            "<body>" + "".join(f'<div class="docket-stamp" data-page="{n}"></div>' for n in numbers)
            + "</body></html>")
    stamps = _as_reader(_render(html))
    if len(stamps.pages) != len(numbers):  # pragma: no cover - a change in WeasyPrint
        raise RuntimeError(f"Expected {len(numbers)} page-number stamps, WeasyPrint made {len(stamps.pages)}.")
    forms = []
    width = float(stamps.pages[0].mediabox.width) if numbers else 0.0
    for page in stamps.pages:
        box = page.mediabox
        form = DecodedStreamObject()
        form.set_data(page.get_contents().get_data())
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        })
        forms.append(writer._add_object(form.flate_encode()))
    return forms, width
def _placement(page, stamp_width: float) -> tuple[float, ...]:
    """The matrix that puts the stamp's foot at the visible foot of the page, centred,
    whatever the page's size, origin or /Rotate."""
    box = page.cropbox
    x0, y0, w, h = float(box.left), float(box.bottom), float(box.width), float(box.height)
    rotate = page.rotation % 360
    if rotate == 90:
        return (0, 1, -1, 0, x0 + w, y0 + (h - stamp_width) / 2)
    if rotate == 180:
        return (-1, 0, 0, -1, x0 + w - (w - stamp_width) / 2, y0 + h)
    if rotate == 270:
        return (0, -1, 1, 0, x0, y0 + h - (h - stamp_width) / 2)
    return (1, 0, 0, 1, x0 + (w - stamp_width) / 2, y0)


def _stamp(writer: PdfWriter, page, form: IndirectObject, stamp_width: float, save: IndirectObject) -> None:
    """Draw the form over the page: new /Contents array and /Resources dictionary for this
    page only (the objects they point to are shared, never changed)."""
    matrix = " ".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in _placement(page, stamp_width))
    draw = DecodedStreamObject()
    draw.set_data(f"\nQ q /Artifact <</Type /Pagination /Subtype /Footer>> BDC {matrix} cm {STAMP_NAME} Do EMC Q\n"
                  .encode())
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    resolved = contents.get_object() if contents is not None else None
    if resolved is None:
        old = []
    elif isinstance(resolved, ArrayObject):
        old = list(resolved)
    else:
        old = [contents]
    page[NameObject("/Contents")] = ArrayObject([save, *old, writer._add_object(draw)])

    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    mine = DictionaryObject(dict.items(resources))
    xobjects = resources.get("/XObject")
    xobjects = DictionaryObject(dict.items(xobjects.get_object())) if xobjects is not None else DictionaryObject()
    xobjects[NameObject(STAMP_NAME)] = form
    mine[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = mine


