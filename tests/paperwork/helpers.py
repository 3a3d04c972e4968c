"""Reading printed documents back: their text (pdftotext) and their pages as images."""

import subprocess
from pathlib import Path

from PIL import Image

PDFTOTEXT = "/usr/bin/pdftotext"
PDFTOPPM = "/usr/bin/pdftoppm"


def pdf_text(data: bytes) -> str:
    """The PDF's text on one line per paragraph run, whitespace collapsed."""
    out = subprocess.run(  # noqa: S603 (fixed arguments)
        [PDFTOTEXT, "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


def page_images(data: bytes, directory: Path, stem: str) -> list[Path]:
    """Every page rendered to PNG at 60 dpi (pdftoppm), in page order."""
    source = directory / f"{stem}.pdf"
    source.write_bytes(data)
    subprocess.run(  # noqa: S603 (fixed arguments)
        [PDFTOPPM, "-png", "-r", "60", str(source), str(directory / stem)], check=True
    )
    return sorted(directory.glob(f"{stem}-*.png"))


def dark_pixels(image: Path) -> int:
    with Image.open(image) as im:
        grey = im.convert("L")
        return sum(count for value, count in enumerate(grey.histogram()) if value < 200)
