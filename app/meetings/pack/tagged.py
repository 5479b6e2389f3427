"""The pack's structure tree: the tags of every tagged PDF that goes into it, under one root.

WeasyPrint tags what Docket renders (the front sheet, each report); pypdf's merge drops the
tags. Here the pack is given one /StructTreeRoot, and each tagged part's own tree is grafted
into it where it belongs (the front sheet's headings and lists under the document; a report's
under its item's section), with its pages' marked-content numbers mapped through a new
/ParentTree. Page numbers and blank pages are marked as artifacts, so a screen reader skips
them. Uploaded PDFs that are tagged keep their tags the same way; untagged ones stay as they
are. Each part's own bookmarks are copied under its item's bookmark.
"""
from __future__ import annotations

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

ARTIFACT_BEGIN = b"/Artifact BMC\n"
ARTIFACT_END = b"\nEMC\n"


def _as_list(value) -> list:
    if value is None:
        return []
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return list(value) if isinstance(value, ArrayObject) else [value]


def _number_tree(node, out: dict | None = None) -> dict:
    """A PDF number tree (/Nums and /Kids) as a dict."""
    out = {} if out is None else out
    if node is None:
        return out
    node = node.get_object()
    nums = _as_list(node.get("/Nums"))
    for key, value in zip(nums[::2], nums[1::2]):
        out[int(key)] = value
    for kid in _as_list(node.get("/Kids")):
        _number_tree(kid, out)
    return out


def is_tagged(reader: PdfReader) -> bool:
    return "/StructTreeRoot" in reader.root_object


class StructureTree:
    """The pack's tag tree, built as its pages are added."""

    def __init__(self, writer: PdfWriter, title: str):
        self.writer = writer
        self.nums: list = []
        self.next_key = 0
        root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        self.root = writer._add_object(root)
        document = DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): self.root, NameObject("/K"): ArrayObject(),
            NameObject("/T"): TextStringObject(title)})
        self.document = writer._add_object(document)
        root[NameObject("/K")] = ArrayObject([self.document])

    def section(self, title: str, parent: IndirectObject | None = None) -> IndirectObject:
        """A /Sect element (an agenda item's papers) under `parent` (the document)."""
        parent = parent or self.document
        sect = self.writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Sect"),
            NameObject("/P"): parent, NameObject("/K"): ArrayObject(), NameObject("/T"): TextStringObject(title)}))
        parent.get_object()["/K"].append(sect)
        return sect

    def _key(self, value) -> NumberObject:
        key = NumberObject(self.next_key)
        self.next_key += 1
        self.nums += [key, value]
        return key

    def graft(self, reader: PdfReader, first: int, parent: IndirectObject | None = None) -> bool:
        """Put the tags of `reader` (whose pages are in the pack from page index `first`) under
        `parent`. False when the PDF has no tags."""
        if not is_tagged(reader):
            return False
        parent = parent or self.document
        writer = self.writer
        source_root = reader.root_object["/StructTreeRoot"].get_object()
        parents = _number_tree(source_root.get("/ParentTree"))
        children = []
        for kid in _as_list(source_root.get("/K")):
            copy = kid.clone(writer, False, ("/P",))
            element = copy.get_object()
            if element.get("/S") == "/Document":  # its contents, not a second document
                children += _as_list(element.get("/K"))
            else:
                children.append(copy)
        target = parent.get_object()["/K"]
        for child in children:
            target.append(child)
            _set_parents(child, parent)
        for index, page in enumerate(reader.pages):
            ours = writer.pages[first + index]
            old = page.get("/StructParents")
            if old is not None and int(old) in parents:
                ours[NameObject("/StructParents")] = self._key(parents[int(old)].clone(writer, False, ("/P",)))
            for annotation in _as_list(ours.get("/Annots")):
                annotation = annotation.get_object()
                old = annotation.get("/StructParent")
                if old is not None:
                    if int(old) in parents:
                        annotation[NameObject("/StructParent")] = self._key(
                            parents[int(old)].clone(writer, False, ("/P",)))
                    else:
                        del annotation["/StructParent"]
        return True

    def finish(self) -> None:
        root = self.root.get_object()
        root[NameObject("/ParentTree")] = self.writer._add_object(
            DictionaryObject({NameObject("/Nums"): ArrayObject(self.nums)}))
        root[NameObject("/ParentTreeNextKey")] = NumberObject(self.next_key)
        catalog = self.writer.root_object
        catalog[NameObject("/StructTreeRoot")] = self.root
        catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})


def _set_parents(ref, parent) -> None:
    """Each structure element's /P is its parent (they were copied without it)."""
    element = ref.get_object() if isinstance(ref, IndirectObject) else ref
    if not isinstance(element, DictionaryObject) or "/S" not in element:
        return
    element[NameObject("/P")] = parent
    for kid in _as_list(element.get("/K")):
        if isinstance(kid, IndirectObject) or isinstance(kid, DictionaryObject):
            _set_parents(kid, ref if isinstance(ref, IndirectObject) else parent)


def mark_artifact(writer: PdfWriter, page) -> None:
    """The page's whole content is an artifact (a blank page's note): not read out."""
    begin, end = DecodedStreamObject(), DecodedStreamObject()
    begin.set_data(ARTIFACT_BEGIN)
    end.set_data(ARTIFACT_END)
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    resolved = contents.get_object() if contents is not None else None
    old = [] if resolved is None else (list(resolved) if isinstance(resolved, ArrayObject) else [contents])
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(begin), *old, writer._add_object(end)])
    page.pop("/StructParents", None)


def copy_bookmarks(writer: PdfWriter, reader: PdfReader, first: int, parent) -> None:
    """The part's own bookmarks (a report's sections), under `parent`, at their pages in the pack."""

    def walk(entries, under):
        last = under
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, last)
                continue
            try:
                page = reader.get_destination_page_number(entry)
            except Exception:  # noqa: BLE001 - a bookmark to nowhere is left out
                continue
            if page is None or page < 0:
                continue
            last = writer.add_outline_item(title=str(entry.title), page_number=first + page, parent=under)

    try:
        outline = reader.outline
    except Exception:  # noqa: BLE001 - a damaged outline is left out, the pages are what matter
        return
    walk(outline, parent)
