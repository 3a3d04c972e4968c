"""The rows a check has read, kept for the write: one JSON line per row (sheet, row number,
readable, values), dates as {"d": "YYYY-MM-DD"}.

The write then replays these lines instead of parsing the XLSX a second time (parsing is
about half of the write's time); the file's SHA-256 is kept on the batch and checked before
the write, as the upload's is. Written to private storage next to the upload.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import IO, Any

Line = tuple[str, int, bool, dict[str, Any]]


def _default(value: object) -> object:
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    raise TypeError(type(value).__name__)


def _hook(obj: dict[str, Any]) -> object:
    if len(obj) == 1 and "d" in obj:
        return dt.date.fromisoformat(obj["d"])
    return obj


ENCODER = json.JSONEncoder(default=_default, separators=(",", ":"))
DECODER = json.JSONDecoder(object_hook=_hook)


class SpoolWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def write(self, sheet: str, number: int, fine: bool, row: dict[str, Any]) -> None:
        line = ENCODER.encode([sheet, number, fine, row]).encode() + b"\n"
        self.digest.update(line)
        self.stream.write(line)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


def read_spool(stream: IO[bytes]) -> Iterator[Line]:
    for line in stream:
        sheet, number, fine, row = DECODER.decode(line.decode())
        yield sheet, number, fine, row


def spool_sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()
