"""A fake camera for Chromium: a Y4M video of a still image, e.g. an asset's label.

Chromium started with ``--use-file-for-fake-video-capture=<file>.y4m`` (and
tests/pwa/browser.py's FAKE_CAMERA) plays the file in a loop as its only camera.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from inspection.labels import png_label

SIZE = (640, 480)
FPS = 15


def label_image(code: str, size: tuple[int, int] = SIZE) -> Image.Image:
    """The printed label of ``code`` (inspection/labels.py's Code 128 PNG), as large as
    fits with a margin, centred on white."""
    label = Image.open(io.BytesIO(png_label(code))).convert("L")
    scale = min(0.9 * size[0] / label.width, 0.9 * size[1] / label.height)
    label = label.resize((round(label.width * scale), round(label.height * scale)))
    frame = Image.new("L", size, 255)
    frame.paste(label, ((size[0] - label.width) // 2, (size[1] - label.height) // 2))
    return frame.convert("RGB")


def write_y4m(image: Image.Image, path: Path, frames: int = FPS) -> Path:
    """``frames`` frames (one second) of ``image`` as YUV4MPEG2 4:2:0 at ``path``."""
    width, height = image.size
    if width % 2 or height % 2:
        raise ValueError(f"4:2:0 halves both sides: {width} x {height} are not even")
    luma, blue, red = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = [luma, *(plane.resize(half, Image.Resampling.BOX) for plane in (blue, red))]
    frame = b"FRAME\n" + b"".join(plane.tobytes() for plane in planes)
    header = f"YUV4MPEG2 W{width} H{height} F{FPS}:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)
    return path
