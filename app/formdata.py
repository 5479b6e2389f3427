"""Reading a url-encoded form (what a browser sends for a form without a file) in memory bounded
by its size.

werkzeug decodes such a form with the standard library's `parse_qsl`, which splits each value at
every `%` before joining it again: a 4 MB paste of tab characters (12 MB as `%09%09…`) took about
1 GB of server memory for that alone. `BoundedFormParser` decodes each value in slices, so a form
takes a few times its size, and refuses (413) a form of more than `MAX_FIELDS` fields, as werkzeug
refuses a multipart form of more than its `max_form_parts`. What it gives is what `parse_qsl`
gives: `+` is a space, `%XX` a byte, a name without `=` has an empty value, empty pairs are
skipped, and bytes that are not UTF-8 are kept as `%XX` (werkzeug's own rule).
"""
from urllib.parse import unquote_to_bytes

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" decoding error handler
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

MAX_FIELDS = 10_000
SLICE = 64 * 1024


def unquote_plus(data: bytes) -> str:
    """`urllib.parse.unquote_plus`, a slice at a time (never cutting a `%XX` in two)."""
    data = data.replace(b"+", b" ")
    if b"%" not in data:
        return data.decode("utf-8", "werkzeug.url_quote")
    out = bytearray()
    start, size = 0, len(data)
    while start < size:
        end = min(start + SLICE, size)
        if end < size:
            cut = data.rfind(b"%", end - 2, end)
            if cut != -1:
                end = cut
        out += unquote_to_bytes(data[start:end])
        start = end
    return out.decode("utf-8", "werkzeug.url_quote")


class BoundedFormParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        # the stream is already limited to MAX_CONTENT_LENGTH by werkzeug
        body = stream.read()
        if body.count(b"&") >= MAX_FIELDS:
            raise RequestEntityTooLarge()
        items = []
        for pair in body.split(b"&"):
            if not pair:
                continue
            name, _, value = pair.partition(b"=")
            items.append((unquote_plus(name), unquote_plus(value)))
        return stream, self.cls(items), self.cls()
