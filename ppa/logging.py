"""A logging filter that masks personal data before any handler writes a record.

Installed on every handler in settings.LOGGING. Names, addresses and narratives should never
be logged in the first place (conventions); this is the safety net for what slips through:
NIK and KK numbers (16 digits), phone numbers, e-mail addresses and other identifiers that
lokal-id recognises, plus any run of 16 digits as a last resort.
"""

import logging
import re

from lokal import mask_pii
from lokal.samaran.types import PiiType

MASKED_TYPES: tuple[PiiType, ...] = (
    "NIK",
    "KK",
    "NPWP",
    "PASSPORT",
    "NIP",
    "BPJS",
    "PHONE",
    "EMAIL",
    "CARD",
    "BANK_ACCOUNT",
)
_DIGITS_16 = re.compile(r"(?<!\d)\d{4}[ .-]?\d{4}[ .-]?\d{4}[ .-]?\d{4}(?!\d)")
_PHONE = re.compile(r"(?<![\w])(?:\+?62|0)8\d(?:[ .-]?\d){6,11}(?!\d)")


def mask(text: str) -> str:
    """The text with personal identifiers replaced by placeholders such as [NIK_1]."""
    try:
        text = mask_pii(text, types=MASKED_TYPES).text
    except Exception:  # noqa: BLE001 (a log line must never raise; fail closed)
        return "[log disembunyikan: gagal menyamarkan data pribadi]"
    text = _DIGITS_16.sub("[ANGKA_16]", text)
    return _PHONE.sub("[PHONE]", text)


class MaskPiiFilter(logging.Filter):
    """Rewrites the record's message (and exception text) with identifiers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pii_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001
            message = str(record.msg)
        record.msg, record.args = mask(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
            # Formatters would re-render the traceback from exc_info; keep only the masked text.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        record._pii_masked = True
        return True
