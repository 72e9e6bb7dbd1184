"""Labels: each generated barcode decodes back to the asset's tag with an independent
decoder (zxing-cpp), single labels and every label of a printed PDF sheet."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import httpx
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from inspection.labels import Label, pdf_sheet, png_label, svg_label, svg_sheet
from tests.inspection.fixtures import add_asset
from tests.probes import assert_error
from tests.world import World


def decoded(image: Image.Image) -> list[str]:
    return sorted(
        found.text
        for found in zxingcpp.read_barcodes(image)
        if found.format == zxingcpp.BarcodeFormat.Code128
    )


@pytest.mark.parametrize("tag", ["PUMP-0042", "A", "LIFT.B2_07-X", "1234567890ABCDEFGHIJ"])
def test_a_png_label_decodes_to_its_tag(tag: str) -> None:
    assert decoded(Image.open(io.BytesIO(png_label(tag)))) == [tag]


def test_every_label_of_a_pdf_sheet_decodes() -> None:
    labels = [Label(f"PUMP-{n:04d}", f"水泵 {n} 号", "上海 Acme Central") for n in range(30)]
    document = pypdfium2.PdfDocument(pdf_sheet(labels))
    assert len(document) == 2  # 24 labels a page
    found = []
    for page in document:
        found += decoded(page.render(scale=300 / 72).to_pil())
    assert found == sorted(label.tag for label in labels)


def test_svg_label_and_sheet_are_svg() -> None:
    root = ElementTree.fromstring(svg_label("PUMP-0042"))
    assert root.tag.endswith("svg")
    sheet = ElementTree.fromstring(svg_sheet([Label("PUMP-1", "A & B <pump>", "Site")] * 25))
    assert sheet.attrib["height"] == "594mm"  # two A4 pages, one under the other
    texts = [t.text for t in sheet.iter("{http://www.w3.org/2000/svg}text")]
    assert "A & B <pump>" in texts


async def test_labels_over_the_api(client: httpx.AsyncClient, world: World) -> None:
    asset = await add_asset(world, "PUMP-0042")
    await add_asset(world, "LIFT-0001", asset_type="lift")
    headers = await world.headers("north_tech")
    png = await client.get(f"/api/assets/{asset}/label.png", headers=headers)
    assert png.headers["content-type"] == "image/png"
    assert decoded(Image.open(io.BytesIO(png.content))) == ["PUMP-0042"]
    svg = await client.get(f"/api/assets/{asset}/label.svg", headers=headers)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    manager = await world.headers("north_manager")
    sheet = await client.get(
        "/api/labels/sheet.pdf", params={"site_id": str(world.sites["central"])}, headers=manager
    )
    assert sheet.headers["content-type"] == "application/pdf"
    page = pypdfium2.PdfDocument(sheet.content)[0].render(scale=300 / 72).to_pil()
    assert decoded(page) == ["LIFT-0001", "PUMP-0042"]
    lifts = await client.get(
        "/api/labels/sheet.svg", params={"asset_type": "lift"}, headers=manager
    )
    assert b"LIFT-0001" in lifts.content
    assert b"PUMP-0042" not in lifts.content
    none = await client.get("/api/labels/sheet.pdf", params={"asset_type": "x"}, headers=manager)
    assert_error(none, 404, "no_assets")
    assert_error(await client.get("/api/labels/sheet.pdf", headers=headers), 403, "forbidden")
    unknown = await client.get(f"/api/assets/{world.sites['central']}/label.png", headers=headers)
    assert_error(unknown, 404, "not_found")
