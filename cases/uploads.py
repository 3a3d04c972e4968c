"""Whether an uploaded document is what it claims to be, by parsing it whole.

The first bytes name the type (PDF, JPEG, PNG); then the file must parse completely as that
type: a PDF through pypdf in strict mode (every page, and nothing after its last `%%EOF`), an
image decoded pixel by pixel by Pillow (PNG: nothing after its end chunk), refused above
`DOCUMENT_MAX_PIXELS` before decoding. A `%PDF-` header over a program, or a JPEG header over a
web page, therefore never becomes a case document."""

import io
import warnings

from django.conf import settings
from PIL import Image
from pypdf import PdfReader

DOCUMENT_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
PNG_END = b"IEND\xaeB`\x82"
# Bytes a PDF writer may leave after its last %%EOF (line ends, padding).
PDF_TRAILING = b"\r\n\t \x00"


class NotParsable(ValueError):
    """The file does not parse fully as the type its first bytes name."""


class TooManyPixels(ValueError):
    """An image larger than DOCUMENT_MAX_PIXELS (a decompression bomb, or just too big)."""


def sniff_content_type(head: bytes) -> str | None:
    """The content type named by a file's first bytes (PDF, JPEG or PNG), or None."""
    for signature, content_type in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_parses(data: bytes, content_type: str) -> None:
    """Raise NotParsable (or TooManyPixels) unless `data` is a whole file of `content_type`."""
    if content_type == "application/pdf":
        _check_pdf(data)
    else:
        _check_image(data, PILLOW_FORMATS[content_type])


def _check_pdf(data: bytes) -> None:
    if not data.rstrip(PDF_TRAILING).endswith(b"%%EOF"):
        raise NotParsable("data after the end of the PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted and not reader.decrypt(""):
            raise NotParsable("encrypted PDF")
        if len(reader.pages) == 0:
            raise NotParsable("PDF without pages")
        for page in reader.pages:
            page.get_contents()
    except NotParsable:
        raise
    except Exception as exc:  # noqa: BLE001 (a parser of untrusted input may raise anything)
        raise NotParsable(type(exc).__name__) from exc


def _check_image(data: bytes, pillow_format: str) -> None:
    if pillow_format == "PNG" and not data.endswith(PNG_END):
        raise NotParsable("data after the end of the PNG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                if image.width * image.height > settings.DOCUMENT_MAX_PIXELS:
                    raise TooManyPixels(f"{image.width}x{image.height}")
                image.load()
    except TooManyPixels:
        raise
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 (a decoder of untrusted input may raise anything)
        raise NotParsable(type(exc).__name__) from exc
