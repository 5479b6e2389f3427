"""Real PDF files for tests: a clean one, and ones carrying what Docket refuses, written the ways
an attacker would (name escapes, objects hidden in compressed object streams)."""
import io
import zlib

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def build_pdf(objects: dict[int, bytes], compressed=(), root: int = 1) -> bytes:
    """A PDF 1.5 file of these objects (number -> body), with a cross-reference stream; the
    objects numbered in `compressed` are put in one Flate-compressed object stream."""
    compressed = sorted(compressed)
    stream_num = max(objects) + 1
    xref_num = stream_num + 1
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    entries = {0: (0, 0, 65535)}

    def put(number: int, body: bytes) -> None:
        entries[number] = (1, out.tell(), 0)
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    for number, body in sorted(objects.items()):
        if number not in compressed:
            put(number, body)
    if compressed:
        header, bodies = [], b""
        for index, number in enumerate(compressed):
            header.append(b"%d %d" % (number, len(bodies)))
            bodies += objects[number] + b"\n"
            entries[number] = (2, stream_num, index)
        first = b" ".join(header) + b"\n"
        data = zlib.compress(first + bodies)
        put(stream_num, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(compressed), len(first), len(data)) + data + b"\nendstream")
    size = xref_num + 1
    entries[xref_num] = (1, out.tell(), 0)
    rows = b"".join(bytes([kind]) + field2.to_bytes(4, "big") + field3.to_bytes(2, "big")
                    for kind, field2, field3 in (entries.get(n, (0, 0, 0)) for n in range(size)))
    xref_at = out.tell()
    out.write(b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\nstream\n"
              % (xref_num, size, root, len(rows)) + rows + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def plain_pdf(extra_catalog: bytes = b"", extra_page: bytes = b"", more: dict | None = None,
              compressed=()) -> bytes:
    """One blank page; `extra_*` go inside the catalog's and the page's dictionaries."""
    objects = {1: CATALOG[:-2] + extra_catalog + b" >>", 2: PAGES, 3: PAGE[:-2] + extra_page + b" >>"}
    objects.update(more or {})
    return build_pdf(objects, compressed)


def a_pdf(text: str = "Minutes of the meeting") -> bytes:
    """A clean one-page PDF made by pypdf (different text, different bytes)."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": text})
    writer._root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
