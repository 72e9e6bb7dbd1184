"""Asset labels: Code 128 barcodes of the asset's tag (python-barcode), one label as
SVG or PNG, or printable A4 sheets of many labels as PDF (reportlab) or SVG.

A sheet holds 3 × 8 labels of 70 × 37 mm (asset name, site, tag and barcode). The
bars are python-barcode's modules drawn as vector rectangles, so a sheet of a
thousand labels prints sharp and takes no image per label. Text is set in
reportlab's built-in STSong-Light, which has Latin and Chinese glyphs and needs no
font file (PDF readers supply it).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from typing import NamedTuple
from xml.sax.saxutils import escape

import barcode
from barcode.writer import ImageWriter, SVGWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = 70.0, 37.125  # mm: A4 divided evenly
QUIET_MODULES = 10  # Code 128 wants ten modules of white on each side
BAR_H = 14.0  # mm
MAX_MODULE = 0.4  # mm
FONT = "STSong-Light"
WRITER_OPTIONS = {"module_width": 0.3, "module_height": 12.0, "font_size": 10, "quiet_zone": 3.0}


class Label(NamedTuple):
    tag: str
    name: str
    site: str


def svg_label(tag: str) -> bytes:
    buffer = io.BytesIO()
    barcode.get("code128", tag, writer=SVGWriter()).write(buffer, options=WRITER_OPTIONS)
    return buffer.getvalue()


def png_label(tag: str, dpi: int = 300) -> bytes:
    buffer = io.BytesIO()
    options = {**WRITER_OPTIONS, "dpi": dpi}
    barcode.get("code128", tag, writer=ImageWriter()).write(buffer, options=options)
    return buffer.getvalue()


def bars(tag: str) -> list[tuple[int, int]]:
    """(first module, width in modules) of each bar of the tag's Code 128."""
    modules = barcode.get("code128", tag).build()[0]
    found, position = [], 0
    for bit, run in groupby(modules):
        width = len(list(run))
        if bit == "1":
            found.append((position, width))
        position += width
    return found


def _pages(labels: Iterable[Label]) -> Iterator[list[Label]]:
    page: list[Label] = []
    for label in labels:
        page.append(label)
        if len(page) == COLUMNS * ROWS:
            yield page
            page = []
    if page:
        yield page


def _slots(page: list[Label]) -> Iterator[tuple[Label, float, float]]:
    """Each label with its top-left corner in mm from the page's top-left."""
    for index, label in enumerate(page):
        yield label, (index % COLUMNS) * LABEL_W, (index // COLUMNS) * LABEL_H


def _module(tag_bars: list[tuple[int, int]]) -> tuple[float, float]:
    """The module width (mm) and the left margin that centre the code in the label."""
    modules = (tag_bars[-1][0] + tag_bars[-1][1]) if tag_bars else 0
    width = min(MAX_MODULE, (LABEL_W - 6) / (modules + 2 * QUIET_MODULES))
    return width, (LABEL_W - modules * width) / 2


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pdf_sheet(labels: Iterable[Label], done: Callable[[int], None] | None = None) -> bytes:
    """A4 pages of labels as PDF; ``done`` is called with 1 after each label."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    sheet.setTitle("FieldOps asset labels")
    height = A4[1]
    empty = True
    for page in _pages(labels):
        empty = False
        for label, left, top in _slots(page):
            x, y = left * mm, height - top * mm
            sheet.setFont(FONT, 9)
            sheet.drawString(x + 4 * mm, y - 6 * mm, _fit(label.name, 30))
            sheet.setFont(FONT, 7)
            sheet.drawString(x + 4 * mm, y - 10 * mm, _fit(label.site, 40))
            tag_bars = bars(label.tag)
            width, margin = _module(tag_bars)
            path = sheet.beginPath()
            for start, run in tag_bars:
                path.rect(
                    x + (margin + start * width) * mm, y - 28 * mm, run * width * mm, BAR_H * mm
                )
            sheet.drawPath(path, stroke=0, fill=1)
            sheet.setFont(FONT, 9)
            sheet.drawCentredString(x + LABEL_W / 2 * mm, y - 32 * mm, label.tag)
            if done:
                done(1)
        sheet.showPage()
    if empty:
        sheet.showPage()  # a PDF needs a page, even a blank one
    sheet.save()
    return buffer.getvalue()


def svg_sheet(labels: Iterable[Label], done: Callable[[int], None] | None = None) -> bytes:
    """The same pages as one SVG, one A4 page under the other (print at 100 %)."""
    parts: list[str] = []
    pages = 0
    for pages, page in enumerate(_pages(labels), start=1):
        offset = (pages - 1) * 297
        for label, left, top in _slots(page):
            x, y = left, offset + top
            tag_bars = bars(label.tag)
            width, margin = _module(tag_bars)
            rects = "".join(
                f'<rect x="{x + margin + start * width:.3f}" y="{y + 14:.3f}" '
                f'width="{run * width:.3f}" height="{BAR_H}"/>'
                for start, run in tag_bars
            )
            parts.append(
                f'<g><text x="{x + 4}" y="{y + 6}" font-size="3.2">{escape(_fit(label.name, 30))}'
                f'</text><text x="{x + 4}" y="{y + 10}" font-size="2.5">'
                f"{escape(_fit(label.site, 40))}</text>{rects}"
                f'<text x="{x + LABEL_W / 2}" y="{y + 32}" font-size="3.2" '
                f'text-anchor="middle">{escape(label.tag)}</text></g>'
            )
            if done:
                done(1)
    pages = max(pages, 1)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="{297 * pages}mm" '
        f'viewBox="0 0 210 {297 * pages}" font-family="sans-serif">'
        f'<rect width="210" height="{297 * pages}" fill="white"/><g fill="black">'
    )
    return (head + "".join(parts) + "</g></svg>").encode()
