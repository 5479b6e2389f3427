"""Is an uploaded PDF safe to keep and hand to colleagues (and to put in a published pack)?

The PDF is parsed with pypdf, not searched as bytes: a name can be written with escapes
(`/J#61vaScript` is `/JavaScript`) and objects can sit compressed inside object streams, where
no byte search sees them. Every object the file's cross-reference tables list (including every
object inside an object stream) and everything reachable from the trailer is visited, names as
decoded, and the file is refused if any of them can run something or carries something hidden:

- JavaScript (`/JavaScript`, `/JS`), XFA forms (`/XFA`, which run scripts);
- actions that open programs or other files or send data (`/Launch`, `/GoToR`, `/GoToE`,
  `/ImportData`, `/SubmitForm`), whether in a link, `/OpenAction` or `/AA`;
- embedded files (`/EmbeddedFile`, `/EmbeddedFiles`, `/EF`) and embedded media (`/RichMedia`).

An encrypted PDF is refused (its objects cannot be checked without the password), and so is
one pypdf cannot read. `problem_in_pdf` returns the reason in plain English, or None.
"""
import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_OBJECTS = 200_000  # far more than any real document has; a file with more is refused

_REASONS = [
    ({"/JavaScript", "/JS"}, "contains scripts (JavaScript), which are not allowed"),
    ({"/XFA"}, "contains an XFA form, which can run scripts and is not allowed"),
    ({"/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm"},
     "contains an action that opens another program or file or sends data, which is not allowed"),
    ({"/EmbeddedFile", "/EmbeddedFiles", "/EF"}, "contains embedded files, which are not allowed"),
    ({"/RichMedia", "/RichMediaExecute"}, "contains embedded media, which is not allowed"),
]
REFUSED_NAMES = {name: reason for names, reason in _REASONS for name in names}
AFTER = ". Print it to a new PDF (choose Print, then Save as PDF) and attach that"
UNREADABLE = "The selected PDF is damaged and cannot be opened. Save it again as a PDF and attach that"
ENCRYPTED = ("The selected PDF is protected by a password or encrypted, so Docket cannot check it. "
             "Save a copy without the protection and attach that")
TOO_COMPLEX = "The selected PDF has too many parts to check. Print it to a new PDF and attach that"


class _Refused(Exception):
    pass


def _check_name(name) -> None:
    reason = REFUSED_NAMES.get(str(name))
    if reason:
        raise _Refused(f"The selected PDF {reason}{AFTER}")


def _walk(reader: PdfReader, start, seen: set) -> None:
    """Every name in `start` and in everything it refers to, iteratively (no recursion limit)."""
    stack = [start]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            if len(seen) > MAX_OBJECTS:
                raise _Refused(TOO_COMPLEX)
            obj = reader.get_object(obj)
            if obj is None:
                continue
        if isinstance(obj, NameObject):
            _check_name(obj)
        elif isinstance(obj, DictionaryObject):  # a stream's dictionary too (StreamObject is one)
            for key, value in obj.items():
                _check_name(key)
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def problem_in_pdf(data: bytes) -> str | None:
    """Why this PDF may not be attached, in plain English; None if it may."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return ENCRYPTED
        seen: set = set()
        refs = [IndirectObject(idnum, generation, reader)
                for generation, objects in reader.xref.items() for idnum in objects]
        refs += [IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm]
        if len(refs) > MAX_OBJECTS:
            return TOO_COMPLEX
        if not refs and not reader.trailer.get("/Root"):
            return UNREADABLE
        _walk(reader, reader.trailer, seen)
        for ref in refs:
            _walk(reader, ref, seen)
        if len(reader.pages) < 1:
            return UNREADABLE
    except _Refused as refused:
        return str(refused)
    except RecursionError:
        return TOO_COMPLEX
    except Exception:  # noqa: BLE001 - whatever pypdf raises on a broken file, the file is unreadable
        return UNREADABLE
    return None
