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
    return Markup(
        '<svg class="docket-sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{label}"><title>{label}</title>'
        '<polyline fill="none" stroke="#1d70b8" stroke-width="2" points="{points}"/>'
        '<circle cx="{x}" cy="{y}" r="3" fill="#0b0c0c"/></svg>'
    ).format(w=width, h=height, label=escape(f"Trend of {label}: {described}"), points=points, x=last_x, y=last_y)


RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", "complete": "#1d70b8",
               "not_started": "#505a5f", "none": "#b1b4b6"}


def rag_bar(counts: list[dict], width: int = 300, height: int = 24) -> Markup:
    """A stacked bar of the RAG mix, with a text alternative; the table beside it has the figures."""
    total = sum(c["count"] for c in counts)
    described = ", ".join(f"{c['label']} {c['count']}" for c in counts if c["count"]) or "no signed-off updates"
    if not total:
        return Markup('<span class="govuk-body-s">{}</span>').format(described)
    x = 0.0
    parts = []
    for c in counts:
        if not c["count"]:
            continue
        w = c["count"] / total * width
        parts.append(Markup('<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{h}" fill="{fill}"/>').format(
            x=x, w=w, h=height, fill=RAG_COLOURS.get(c["rag"], "#b1b4b6")))
        x += w
    return Markup('<svg class="docket-ragbar" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
                  'aria-label="{label}"><title>{label}</title>{parts}</svg>').format(
        w=width, h=height, label=escape(f"RAG mix: {described}"), parts=Markup("").join(parts))


ARROWS = {"good": "▲", "bad": "▼", "neutral": "►"}


def register(app):
    app.add_template_global(sparkline, "sparkline")
    app.add_template_global(rag_bar, "rag_bar")
    app.add_template_global(ARROWS, "direction_arrows")
