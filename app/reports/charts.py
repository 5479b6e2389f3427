"""Small charts drawn on the server as SVG, so they work without JavaScript and in the PDF."""
from markupsafe import Markup, escape


def sparkline(trend: list[dict], label: str, width: int = 120, height: int = 32) -> Markup:
    """A line through the last periods' values, with a text alternative naming them."""
    values = [t["value"] for t in trend]
    described = "; ".join(f"{t['period']}: {t['value']:g}" for t in trend) or "no values yet"
    if len(values) < 2:
        return Markup('<span class="govuk-body-s">{}</span>').format(described)
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1
    step = (width - 8) / (len(values) - 1)
    points = " ".join(f"{4 + i * step:.1f},{height - 4 - (v - lo) / span * (height - 8):.1f}"
                      for i, v in enumerate(values))
    last_x, last_y = points.split(" ")[-1].split(",")
    # Plain string building (Markup.format cost more than the rest of the report's template):
    # the points are numbers Docket formatted, and the label, the only text, is escaped.
    label = escape(f"Trend of {label}: {described}")
    return Markup(
        f'<svg class="docket-sparkline" width="{int(width)}" height="{int(height)}" '
        f'viewBox="0 0 {int(width)} {int(height)}" role="img" aria-label="{label}"><title>{label}</title>'
        f'<polyline fill="none" stroke="#1d70b8" stroke-width="2" points="{points}"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="3" fill="#0b0c0c"/></svg>')


RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", "complete": "#1d70b8",
               "not_started": "#505a5f", "none": "#b1b4b6"}


def rag_bar(counts: list[dict], width: int = 300, height: int = 24) -> Markup:
    """A stacked bar of the RAG mix, with a text alternative; the table beside it has the figures."""
    total = sum(c["count"] for c in counts)
    described = ", ".join(f"{c['label']} {c['count']}" for c in counts if c["count"]) or "no signed-off updates"
    if not total:
        return Markup('<span class="govuk-body-s">{}</span>').format(described)
    # Plain string building: the figures and colours are Docket's own numbers and constants, and
    # the one piece of text, the label, is escaped (Markup.format per rectangle cost more than
    # the rest of the dashboard's template).
    x = 0.0
    parts = []
    for c in counts:
        if not c["count"]:
            continue
        w = c["count"] / total * width
        fill = RAG_COLOURS.get(c["rag"], "#b1b4b6")
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{int(height)}" fill="{fill}"/>')
        x += w
    label = escape(f"RAG mix: {described}")
    return Markup(f'<svg class="docket-ragbar" width="{int(width)}" height="{int(height)}" '
                  f'viewBox="0 0 {int(width)} {int(height)}" role="img" aria-label="{label}"><title>{label}</title>'
                  + "".join(parts) + "</svg>")


def rag_legend(counts: list[dict]) -> Markup:
    """The key to the RAG bar: each colour's swatch, its name and how many, as text."""
    parts = []
    for c in counts:
        if not c["count"]:
            continue
        fill = RAG_COLOURS.get(c["rag"], "#b1b4b6")
        parts.append(f'<span class="docket-rag-key"><svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" '
                     f'focusable="false"><rect width="12" height="12" fill="{fill}"/></svg> '
                     f'{escape(c["label"])}: {int(c["count"])}</span>')
    return Markup('<p class="govuk-body-s docket-rag-legend">' + " &nbsp; ".join(parts) + "</p>") if parts else Markup("")


ARROWS = {"good": "▲", "bad": "▼", "neutral": "►"}

CELL_LIST = '<ul class="govuk-list govuk-list--bullet govuk-body-s govuk-!-margin-bottom-1 docket-cell-list">'
CELL_PARA = '<p class="govuk-body-s govuk-!-margin-bottom-1 docket-cell-para">'


def cell_text(text) -> Markup:
    """Typed text in a table cell, as the report's sections show it (content.blocks):
    paragraphs, and lines starting "- " as a bulleted list, in the HTML page and the PDF. Built
    here rather than by a template macro, as a report has hundreds of such cells; every piece
    of typed text is escaped."""
    from app.reports.content import _is_bullet, blocks

    if text and "\n" not in text and "\r" not in text:  # one line (most cells): one paragraph, or none
        line = text.strip()
        if not line:
            return Markup("")
        if not _is_bullet(line):
            return Markup(f"{CELL_PARA}{escape(line)}</p>")
    parts = []
    for block in blocks(text):
        if block.kind == "list":
            parts.append(CELL_LIST + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>")
        else:
            parts.append(f"{CELL_PARA}{escape(block.items[0])}</p>")
    return Markup("".join(parts))


def register(app):
    app.add_template_global(sparkline, "sparkline")
    app.add_template_global(rag_bar, "rag_bar")
    app.add_template_global(rag_legend, "rag_legend")

    from app.reports.content import blocks

    app.add_template_filter(blocks, "text_blocks")  # typed text as paragraphs and lists (content.py)
    app.add_template_filter(cell_text, "cell_text")  # the same, in a table cell, as HTML
    app.add_template_global(ARROWS, "direction_arrows")
