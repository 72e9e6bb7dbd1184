"""Charts as standalone SVG documents, for reports sent by e-mail (where no script
runs): a bar chart and a line chart, with axes, gridlines and every value written
beside its bar or point. Every text is escaped."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from server.reports import schemas

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 56, 84
TICKS = 5
COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea")
FONT = 'font-family="sans-serif"'


def _number(value: float) -> str:
    """A value as written on the chart: at most two decimals, none that are zero."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _scale_top(values: list[float], unit: str) -> float:
    """The top of the value axis: 100 for percentages, else a round number (1, 2 or
    5 times a power of ten per tick) at or above the largest value."""
    if unit == "%":
        return 100.0
    largest = max(values, default=0.0)
    if largest <= 0:
        return float(TICKS)
    raw = largest / TICKS
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * TICKS


def _text(
    x: float, y: float, text: str, size: int = 11, anchor: str = "middle", extra: str = ""
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {FONT}{extra}>'
        f"{escape(text)}</text>"
    )


def _frame(chart: schemas.Chart, top: float) -> list[str]:
    """The title, the legend, the value axis with its gridlines, and the labels."""
    plot_height = HEIGHT - TOP - BOTTOM
    parts = [
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(WIDTH / 2, 24, chart.title, 16),
    ]
    for index, series in enumerate(chart.series):
        key = LEFT + index * 180
        parts.append(
            f'<rect x="{key}" y="34" width="10" height="10" fill="{COLOURS[index % len(COLOURS)]}"/>'
        )
        parts.append(_text(key + 14, 43, f"{series.name} ({chart.unit})", 11, "start"))
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = TOP + plot_height * (1 - tick / TICKS)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e5e7eb"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, _number(value), 10, "end"))
    slot = (WIDTH - LEFT - RIGHT) / max(len(chart.labels), 1)
    turned = len(chart.labels) > 8
    below = HEIGHT - BOTTOM + 16
    for index, label in enumerate(chart.labels):
        x = LEFT + slot * (index + 0.5)
        if turned:
            rotate = f' transform="rotate(-40 {x:.1f} {below})"'
            parts.append(_text(x, below, label, 10, "end", rotate))
        else:
            parts.append(_text(x, below, label, 10))
    bottom = HEIGHT - BOTTOM
    parts.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#111827"/>'
    )
    return parts


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _bars(chart: schemas.Chart, top: float) -> list[str]:
    slot = (WIDTH - LEFT - RIGHT) / max(len(chart.labels), 1)
    width = slot * 0.8 / len(chart.series)
    parts = []
    for number, series in enumerate(chart.series):
        colour = COLOURS[number % len(COLOURS)]
        for index, value in enumerate(series.values):
            if value is None:
                continue
            x = LEFT + slot * index + slot * 0.1 + width * number
            y = _y(value, top)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                f'height="{HEIGHT - BOTTOM - y:.1f}" fill="{colour}"/>'
            )
            parts.append(_text(x + width / 2, y - 4, _number(value), 10))
    return parts


def _lines(chart: schemas.Chart, top: float) -> list[str]:
    slot = (WIDTH - LEFT - RIGHT) / max(len(chart.labels), 1)
    parts = []
    for number, series in enumerate(chart.series):
        colour = COLOURS[number % len(COLOURS)]
        run: list[str] = []
        points = [*series.values, None]  # a gap (None) ends a line; so does the end
        for index, value in enumerate(points):
            if value is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" '
                        f'stroke="{colour}" stroke-width="2"/>'
                    )
                run = []
                continue
            x, y = LEFT + slot * (index + 0.5), _y(value, top)
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
            parts.append(_text(x, y - 8, _number(value), 10))
    return parts


def render(chart: schemas.Chart) -> str:
    values = [v for series in chart.series for v in series.values if v is not None]
    top = max(_scale_top(values, chart.unit), max(values, default=0.0))
    body = _frame(chart, top) + (_bars(chart, top) if chart.kind == "bar" else _lines(chart, top))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(chart.title)}>'
        f"<title>{escape(chart.title)}</title>" + "".join(body) + "</svg>\n"
    )
