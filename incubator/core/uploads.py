"""Uploaded files: checked by size and by content (not by name), stored under ``UPLOAD_FOLDER``."""
from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from incubator.core.errors import ServiceError

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MAX_IMAGE_PIXELS = 25_000_000
# Milestone evidence: a PDF or an image; ``EVIDENCE_MAX_BYTES`` in the config overrides the limit.
EVIDENCE_MAX_BYTES = 8 * 1024 * 1024
EVIDENCE_MIMETYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def _read_limited(stream: IO[bytes], max_bytes: int, field: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _field_error(field, _("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    if not data:
        raise _field_error(field, _("The file is empty."))
    return data


def _field_error(field: str, message: str) -> ServiceError:
    return ServiceError(message, {field: [message]})


def _store(data: bytes, kind: str, extension: str) -> str:
    relative = Path(kind) / f"{uuid.uuid4().hex}.{extension}"
    target = Path(current_app.config["UPLOAD_FOLDER"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative.as_posix()


def save_pdf(stream: IO[bytes], kind: str, field: str = "file") -> str:
    """Check that ``stream`` is a readable PDF within the size limit and store it.

    :return: the stored path relative to ``UPLOAD_FOLDER``.
    """
    data = _read_limited(stream, current_app.config["PITCH_DECK_MAX_BYTES"], field)
    _check_pdf(data, _field_error(field, _("The file must be a PDF document.")))
    return _store(data, kind, "pdf")


def save_image(stream: IO[bytes], kind: str, field: str = "file") -> str:
    """Check that ``stream`` is a PNG, JPEG or WebP image within the size limit and store it."""
    data = _read_limited(stream, current_app.config["LOGO_MAX_BYTES"], field)
    extension = _image_extension(data, _field_error(field, _("The file must be a PNG, JPEG or WebP image.")))
    return _store(data, kind, extension)


def _check_pdf(data: bytes, error: ServiceError) -> None:
    if not data.startswith(b"%PDF-"):
        raise error
    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) < 1:
            raise error
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise error from exc


def _image_extension(data: bytes, error: ServiceError) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise error
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise error from exc
    if image_format not in IMAGE_FORMATS:
        raise error
    return IMAGE_FORMATS[image_format]


def save_evidence(stream: IO[bytes], kind: str = "evidence", field: str = "file") -> str:
    """Check that ``stream`` is a PDF, PNG, JPEG or WebP file within ``EVIDENCE_MAX_BYTES`` and store it.

    The type is read from the content, never from the file name.

    :return: the stored path relative to ``UPLOAD_FOLDER`` (its extension tells the type).
    """
    data = _read_limited(stream, current_app.config.get("EVIDENCE_MAX_BYTES", EVIDENCE_MAX_BYTES), field)
    wrong_type = _field_error(field, _("The file must be a PDF or a PNG, JPEG or WebP image."))
    if data.startswith(b"%PDF-"):
        _check_pdf(data, wrong_type)
        return _store(data, kind, "pdf")
    return _store(data, kind, _image_extension(data, wrong_type))


def upload_path(relative: str) -> Path:
    """The absolute path of a stored upload, refusing anything outside the upload folder."""
    root = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise FileNotFoundError(relative)
    return path
