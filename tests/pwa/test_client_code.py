"""The app's own modules parse, and every text they show has both languages."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from pathlib import Path

from scripts.pwa_vendor import PWA
from server.frontend import read_build

APP = PWA / "app"
SHELL_BUDGET = 300_000
# t("area.key") with a literal key; keys made at run time (t(`status.${s}`)) are
# covered by the tables' own parity check below.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")
TABLES_JSON = """
const out = {};
for (const file of process.argv.slice(1)) {
  const { default: table } = await import(file);
  out[file] = { en: Object.keys(table.en), zh: Object.keys(table["zh-CN"]) };
}
console.log(JSON.stringify(out));
"""


def modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.js") if "vendor" not in p.relative_to(APP).parts)


def node(*args: str) -> str:
    done = subprocess.run(
        ["node", "--experimental-default-type=module", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_module_parses() -> None:
    found = modules()
    assert len(found) > 20
    for path in found:
        node("--check", str(path))


def test_every_text_is_in_both_languages() -> None:
    tables = sorted((APP / "i18n").glob("*.js"))
    keys = json.loads(node("--input-type=module", "-e", TABLES_JSON, *map(str, tables)))
    english: set[str] = set()
    for file, table in keys.items():
        assert sorted(table["en"]) == sorted(table["zh"]), file
        assert not english & set(table["en"]), f"{file} repeats keys of another table"
        english |= set(table["en"])
    used = {key for path in modules() for key in LITERAL_KEY.findall(path.read_text())}
    assert used, "the pattern finds the app's texts"
    assert sorted(used - english) == []


def test_the_shell_stays_under_its_budget() -> None:
    """What a phone downloads to start offline: under 300 KB compressed (issue 8)."""
    build = read_build(APP)
    sizes = {
        name: len(gzip.compress((APP / ("index.html" if name == "/" else name[1:])).read_bytes()))
        for name in build.files
    }
    assert "/vendor/preact-htm.js" in sizes
    assert not any(name.startswith("/vendor/leaflet/") for name in sizes)
    assert sum(sizes.values()) < SHELL_BUDGET, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
