"""Upload checks and money helpers."""
from __future__ import annotations

import io

import pytest

from incubator.core.errors import ServiceError
from incubator.core.money import format_money, to_minor
from incubator.core.uploads import save_image, save_pdf, upload_path


def test_pdf_saved_and_path_confined(app, pdf_bytes):
    with app.test_request_context():
        relative = save_pdf(io.BytesIO(pdf_bytes), "decks")
        assert upload_path(relative).read_bytes() == pdf_bytes
        with pytest.raises(FileNotFoundError):
            upload_path("../../etc/passwd")


@pytest.mark.parametrize("payload", [b"<html>", b"%PDF-1.7\n%%EOF", b"\x89PNG\r\n\x1a\n"])
def test_non_pdf_refused(app, payload):
    with app.test_request_context(), pytest.raises(ServiceError) as info:
        save_pdf(io.BytesIO(payload), "decks", field="pitch_deck")
    assert "pitch_deck" in info.value.fields


def test_image_checked_by_content(app, png_bytes, pdf_bytes):
    with app.test_request_context():
        assert save_image(io.BytesIO(png_bytes), "logos").endswith(".png")
        with pytest.raises(ServiceError):
            save_image(io.BytesIO(pdf_bytes), "logos")


@pytest.mark.parametrize("amount,currency,minor", [("12.50", "USD", 1250), ("1,000", "KHR", 100000),
                                                   ("0.005", "USD", 1), (3, "USD", 300)])
def test_to_minor(amount, currency, minor):
    assert to_minor(amount, currency) == minor


@pytest.mark.parametrize("bad", ["abc", "NaN", "inf", ""])
def test_to_minor_rejects_junk(bad):
    with pytest.raises(ValueError):
        to_minor(bad, "USD")


def test_to_minor_rejects_unknown_currency():
    with pytest.raises(ValueError):
        to_minor("1", "EUR")


def test_format_money():
    assert format_money(123456, "USD", "en") == "$1,234.56"
    assert format_money(4000000, "KHR", "en") == "40,000\xa0KHR"
    assert format_money(None, "USD") == ""
