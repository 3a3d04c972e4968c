"""Small valid documents for upload tests: a one-page PDF, a PNG and a JPEG, made by the same
libraries the upload check parses them with."""

import io

from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(out, format=kind)
    return out.getvalue()


PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
