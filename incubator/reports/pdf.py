"""HTML to PDF with WeasyPrint, in a Khmer-capable font shipped as a Python package (no download at run time).

The font is Noto Sans Khmer (SIL Open Font License) from the ``fontpkg-noto-sans-khmer`` wheel; it covers
Khmer and Latin, so one family sets the whole document. Pango and HarfBuzz shape the Khmer text.

WeasyPrint maps each glyph to the text of the first cluster it was drawn in, so a consonant first seen
under a subscript (``ព្រ``) would later be extracted as that whole cluster everywhere it appears. After
rendering, the text layer of our Khmer font is rebuilt from the font's own glyph names
(``uni17D2179A`` is COENG + RO), so copying and searching find the letters that are on the page. Marks
drawn before their consonant (the vowel ``េ``, the subscript ``្រ``) are stored in the order they are drawn.
"""
from __future__ import annotations

import logging
import os
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import fontpkg_noto_sans_khmer
import pydyf
from flask import current_app
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

FONT_FAMILY = "Incubator Report Sans"
FONT_FILE = Path(fontpkg_noto_sans_khmer.ROOT) / "files" / "NotoSansKhmer[wdth,wght].ttf"
ROOT = Path(__file__).resolve().parent.parent.parent
STYLESHEETS = ("report.css", "report-print.css")
_GLYPH_NAME = re.compile(r"uni((?:[0-9A-F]{4})+)|u([0-9A-F]{4,6})")
_BFCHAR = re.compile(rb"<([0-9a-f]{4})> <([0-9a-f]*)>")


# WeasyPrint and fontTools narrate every step at INFO; one report would fill the log.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class ReportFetchRefused(ValueError):
    """The document asked for a resource outside the files a report may use."""


def font_face_css() -> str:
    """The ``@font-face`` rule pointing at the installed font file."""
    return (f"@font-face {{ font-family: '{FONT_FAMILY}'; src: url('{FONT_FILE.as_uri()}'); "
            "font-style: normal; }")


def _allowed_roots() -> list[Path]:
    roots = [Path(current_app.config["UPLOAD_FOLDER"]).resolve(), (ROOT / "static").resolve(),
             FONT_FILE.parent.resolve()]
    if incubator_logo_path():
        roots.append(incubator_logo_path().resolve())
    return roots


def incubator_logo_path() -> Path | None:
    """``INCUBATOR_LOGO_PATH`` (setting or environment): a PNG, JPEG or SVG shown on every report page."""
    configured = current_app.config.get("INCUBATOR_LOGO_PATH") or os.environ.get("INCUBATOR_LOGO_PATH", "")
    return Path(configured) if configured and Path(configured).is_file() else None


class _LocalFilesOnly(URLFetcher):
    """Fetch only local files under the allowed folders: a report never reaches the network while rendering."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file"})
        self.roots = roots

    def fetch(self, url, headers=None):
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path == root or root in path.parents for root in self.roots):
            raise ReportFetchRefused(url)
        return super().fetch(url, headers)


def stylesheets(fetcher: URLFetcher, fonts: FontConfiguration) -> list[CSS]:
    css_dir = ROOT / "static" / "css"
    return [CSS(string=font_face_css(), url_fetcher=fetcher, font_config=fonts)] + [
        CSS(filename=str(css_dir / name), url_fetcher=fetcher, font_config=fonts) for name in STYLESHEETS]


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document to PDF bytes (A4, page boxes from ``report-print.css``)."""
    fetcher, fonts = _LocalFilesOnly(_allowed_roots()), FontConfiguration()
    document = HTML(string=html, base_url=str(ROOT / "static"), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets(fetcher, fonts), font_config=fonts,
                              finisher=_fix_khmer_text_layer)


@lru_cache(maxsize=1)
def _glyph_texts() -> dict[int, str]:
    """Glyph id → the Khmer text its name spells, for every Khmer glyph of the report font."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONT_FILE), lazy=True)
    texts = {}
    for glyph_id, name in enumerate(font.getGlyphOrder()):
        match = _GLYPH_NAME.fullmatch(name.split(".", 1)[0])
        if not match:
            continue
        if match[1]:
            chars = "".join(chr(int(match[1][i:i + 4], 16)) for i in range(0, len(match[1]), 4))
        else:
            chars = chr(int(match[2], 16))
        if any(0x1780 <= ord(c) <= 0x17FF or 0x19E0 <= ord(c) <= 0x19FF for c in chars):
            texts[glyph_id] = chars
    return texts


def _fix_khmer_text_layer(document, pdf: pydyf.PDF) -> None:
    """Rewrite the ToUnicode map of the report font's Khmer glyphs from their glyph names."""
    token = FONT_FAMILY.replace(" ", "-").encode()
    texts = _glyph_texts()
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Type") != "/Font":
            continue
        base_font = obj.get("BaseFont")
        if not isinstance(base_font, bytes) or token not in base_font or "ToUnicode" not in obj:
            continue
        stream = pdf.objects[int(obj["ToUnicode"].split()[0])]
        lines = []
        for line in stream.stream:
            match = _BFCHAR.fullmatch(line) if isinstance(line, bytes) else None
            text = texts.get(int(match[1], 16)) if match else None
            if text is not None:
                line = f"<{match[1].decode()}> <{text.encode('utf-16-be').hex()}>".encode()
            lines.append(line)
        stream.stream = lines
