"""Small server-rendered charts: inline SVG bars and lines, no JavaScript.

Each chart is a <figure> holding an SVG (role="img", its <title> and <desc> named by aria-labelledby, a <title>
on every bar or point for a tooltip) and the same numbers as a table that only screen readers see (`sr-only`),
so the figures are never in the picture alone. Colours are the Okabe–Ito palette, told apart with colour
blindness; text uses currentColor, so light and dark themes both read."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C8C8C")
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 84, 8, 10, 28  # room for the axis labels
Format = Callable[[float], str]


def plain(value: float) -> str:
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def nice_max(value: float) -> float:
    """The axis top: 1, 2 or 5 × a power of ten, at least `value` (1 for an empty chart)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def bar_chart(key: str, title: str, labels: Sequence[str], series: Sequence[Series], fmt: Format = plain,
              summary: str = "") -> Markup:
    """Vertical bars per label; several series are stacked (with a legend)."""
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top = nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = max(slot * 0.75, 1.0)
    parts = _axis(top, fmt) + _x_labels(labels, slot)
    for i, label in enumerate(labels):
        base = 0.0
        x = LEFT + i * slot + (slot - bar_w) / 2
        for n, s in enumerate(series):
            value = s.values[i]
            if value <= 0:
                continue
            height = value / top * plot_h
            y = TOP + plot_h - (base + height)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                         f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(label)} · {escape(s.name)}: '
                         f'{escape(fmt(value))}</title></rect>')
            base += height
    legend = _legend([s.name for s in series]) if len(series) > 1 else Markup("")
    table = _table(title, labels, series, fmt)
    return _figure(key, title, summary, "".join(parts), legend, table)


def line_chart(key: str, title: str, labels: Sequence[str], values: Sequence[float], fmt: Format = plain,
               summary: str = "") -> Markup:
    """One line with a dot per label."""
    top = nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    points = [(LEFT + (i + 0.5) * slot, TOP + plot_h - max(v, 0) / top * plot_h) for i, v in enumerate(values)]
    parts = _axis(top, fmt) + _x_labels(labels, slot)
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    for (x, y), label, value in zip(points, labels, values, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}"><title>{escape(label)}: '
                     f'{escape(fmt(value))}</title></circle>')
    table = _table(title, labels, [Series(title, values)], fmt)
    return _figure(key, title, summary, "".join(parts), Markup(""), table)


def hbar_chart(key: str, title: str, items: Sequence[tuple[str, float]], fmt: Format = plain,
               summary: str = "") -> Markup:
    """Horizontal bars, one per item, largest first as given: for rankings (top products, channels)."""
    row_h, label_w = 26, 200
    height = max(len(items), 1) * row_h + 4
    top = max((v for _label, v in items), default=0) or 1
    plot_w = WIDTH - label_w - 90
    parts = []
    for i, (label, value) in enumerate(items):
        y = 2 + i * row_h
        width = max(value, 0) / top * plot_w
        parts.append(f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="12" fill="currentColor">'
                     f'{escape(_clip(label, 26))}</text>'
                     f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}" '
                     f'fill="{PALETTE[0]}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
                     f'<text x="{label_w + width + 6:.1f}" y="{y + 17}" font-size="12" fill="currentColor">'
                     f'{escape(fmt(value))}</text>')
    table = _table(title, [label for label, _v in items], [Series(title, [v for _l, v in items])], fmt)
    return _figure(key, title, summary, "".join(parts), Markup(""), table, height=height)


# -- pieces ---------------------------------------------------------------------------------------------------
def _axis(top: float, fmt: Format) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h - fraction * plot_h
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="currentColor" '
                     f'stroke-opacity="{0.5 if fraction == 0 else 0.15}"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="currentColor">'
                     f'{escape(fmt(top * fraction))}</text>')
    return parts


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    every = max(1, math.ceil(len(labels) / 8))  # at most about 8 labels under the axis
    return [f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11" '
            f'fill="currentColor">{escape(label)}</text>'
            for i, label in enumerate(labels) if i % every == 0 or len(labels) == 1]


def _legend(names: Sequence[str]) -> Markup:
    items = "".join(f'<li><span class="swatch" style="background:{PALETTE[n % len(PALETTE)]}"></span>'
                    f'{escape(name)}</li>' for n, name in enumerate(names))
    return Markup(f'<ul class="legend" aria-hidden="true">{items}</ul>')


def _table(title: str, labels: Sequence[str], series: Sequence[Series], fmt: Format) -> Markup:
    head = "".join(f'<th scope="col">{escape(s.name)}</th>' for s in series)
    rows = "".join(f'<tr><th scope="row">{escape(label)}</th>'
                   + "".join(f"<td>{escape(fmt(s.values[i]))}</td>" for s in series) + "</tr>"
                   for i, label in enumerate(labels))
    return Markup(f'<div class="sr-only"><table><caption>{escape(title)}</caption><thead><tr><td></td>{head}</tr>'
                  f"</thead><tbody>{rows}</tbody></table></div>")  # a table ignores a height: its box hides it


def _figure(key: str, title: str, summary: str, body: str, legend: Markup, table: Markup,
            height: int = HEIGHT) -> Markup:
    return Markup(
        f'<figure class="chart" id="{escape(key)}">'
        f'<figcaption id="{escape(key)}-caption">{escape(title)}</figcaption>'
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{escape(key)}-title '
        f'{escape(key)}-desc" focusable="false"><title id="{escape(key)}-title">{escape(title)}</title>'
        f'<desc id="{escape(key)}-desc">{escape(summary or title)}</desc>{body}</svg>{legend}{table}</figure>')


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
