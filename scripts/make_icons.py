"""Draw the PWA's icons into pwa/app/icons/: the source SVG and the PNGs browsers ask for.

A blue rounded square with a white 工 (工单, work order) of three bars. The SVG and
the PNGs come from the same shapes, so they stay alike when the shapes change:

    .venv/bin/python scripts/make_icons.py

The manifest's "any" icons have transparent corners. The maskable icon and Apple's
touch icon fill the square (the platform cuts its own shape; iOS would paint
transparent corners black), and the maskable one keeps the glyph inside the central
circle of 40% radius that every mask leaves visible.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parents[1] / "pwa" / "app" / "icons"
BLUE = "#0b5cad"
WHITE = "#ffffff"
GRID = 512  # the shapes' coordinates
CORNER = 96  # of the rounded square
BAR_CORNER = 10
# 工: top bar, stem, bottom bar as (left, top, right, bottom). Its outermost corners lie
# 199 units from the centre, just inside the safe circle (205); the maskable icon draws
# it at 80% for a margin.
GLYPH = [(136, 128, 376, 180), (230, 170, 282, 342), (104, 332, 408, 384)]
SUPERSAMPLE = 4  # drawn larger, then reduced: smooth edges without an SVG renderer


def svg() -> str:
    bars = "\n".join(
        f'  <rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
        f'rx="{BAR_CORNER}" fill="{WHITE}"/>'
        for left, top, right, bottom in GLYPH
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}">\n'
        f'  <rect width="{GRID}" height="{GRID}" rx="{CORNER}" fill="{BLUE}"/>\n'
        f"{bars}\n</svg>\n"
    )


def png(size: int, *, full_bleed: bool, glyph_scale: float = 1.0) -> Image.Image:
    scale = size * SUPERSAMPLE / GRID
    canvas = Image.new("RGBA", (size * SUPERSAMPLE,) * 2, (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    edge = size * SUPERSAMPLE - 1
    draw.rounded_rectangle(
        (0, 0, edge, edge), radius=0 if full_bleed else CORNER * scale, fill=BLUE
    )
    centre = GRID / 2
    for box in GLYPH:
        left, top, right, bottom = ((v - centre) * glyph_scale + centre for v in box)
        draw.rounded_rectangle(
            (left * scale, top * scale, right * scale, bottom * scale),
            radius=BAR_CORNER * glyph_scale * scale,
            fill=WHITE,
        )
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "icon.svg").write_text(svg(), encoding="utf-8")
    outputs = {
        "icon-192.png": png(192, full_bleed=False),
        "icon-512.png": png(512, full_bleed=False),
        "maskable-512.png": png(512, full_bleed=True, glyph_scale=0.8),
        "apple-touch-icon.png": png(180, full_bleed=True).convert("RGB"),
    }
    for name, image in outputs.items():
        image.save(ICONS / name, optimize=True)
        print(f"{ICONS / name}: {(ICONS / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
