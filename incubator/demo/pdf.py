"""A tiny but valid one-slide PDF, built in memory, used as the demo pitch decks."""
from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

SLIDE_WIDTH, SLIDE_HEIGHT = 842, 595  # A4 landscape, in points


def _pdf_text(text: str) -> bytes:
    # The standard Helvetica font only covers Latin-1; escape the PDF string delimiters.
    raw = text.encode("latin-1", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pitch_deck_pdf(title: str, lines: list[str]) -> bytes:
    """One slide with ``title`` in large type and ``lines`` below it.

    :return: the PDF document's bytes.
    """
    writer = PdfWriter()
    page = writer.add_blank_page(width=SLIDE_WIDTH, height=SLIDE_HEIGHT)
    helvetica = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): helvetica})}
    )
    commands = [b"BT /F1 36 Tf 60 470 Td (" + _pdf_text(title) + b") Tj ET"]
    for number, line in enumerate(lines):
        commands.append(b"BT /F1 18 Tf 60 %d Td (" % (400 - 32 * number) + _pdf_text(line) + b") Tj ET")
    content = DecodedStreamObject()
    content.set_data(b"\n".join(commands))
    page.replace_contents(content)
    writer.add_metadata({"/Title": f"{title}: pitch deck"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
