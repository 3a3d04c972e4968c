"""Addresses of pages whose every part is a code (a UUID), or that have no parts, reversed once
per process and name.

Django's `reverse()` walks the URL resolver on every call, 20-50 µs; the case page asks for
about twenty addresses of one case and its people, the case list for one per row, every page
for its menu. An address whose parts are all codes has the same shape whatever the codes
are: it is reversed once with sample codes, cut around them, and each later call puts the
codes in (`str(uuid)`, what the `uuid` converter writes); an address without parts is kept
as it is. Anything else (positional arguments, a part that is not a UUID, a name that does
not reverse) goes to `reverse()` itself, with its errors. The `{% url %}` tag of every
template comes here too (ppa/templatetags/urls_kept.py).
"""

import functools
import re
import uuid

from django.urls import get_script_prefix, get_urlconf, reverse


def code_url(name: str, current_app: str | None = None, **codes: object) -> str:
    """`reverse(name, kwargs=codes, current_app=current_app)`, for codes given as UUIDs (or
    none)."""
    if all(isinstance(code, uuid.UUID) for code in codes.values()):
        pieces = _pieces(get_script_prefix(), get_urlconf(), name, tuple(codes), current_app)
        if pieces is not None:
            literals, names = pieces
            parts = [literals[0]]
            for part, literal in zip(names, literals[1:], strict=True):
                parts += (str(codes[part]), literal)
            return "".join(parts)
    return reverse(name, kwargs=codes, current_app=current_app)


@functools.lru_cache(maxsize=512)
def _pieces(
    _prefix: str, urlconf: str | None, name: str, parts: tuple[str, ...], current_app: str | None
) -> tuple[list[str], list[str]] | None:
    """The address cut around its codes: its literal pieces and, between them, the names of
    the parts that go there. None when sample codes do not reverse (a part is not a code).
    `_prefix`, the script prefix that `reverse()` puts in front, is only part of the key."""
    samples = {part: uuid.UUID(int=0x5A3D1E0000 + i) for i, part in enumerate(parts)}
    try:
        address = reverse(name, kwargs=samples, urlconf=urlconf, current_app=current_app)
    except Exception:  # noqa: BLE001 (not an address of codes: reverse() itself every time)
        return None
    if not parts:
        return [address], []
    by_text = {str(sample): part for part, sample in samples.items()}
    cut = re.split("(" + "|".join(map(re.escape, by_text)) + ")", address)
    literals, names = cut[0::2], [by_text[text] for text in cut[1::2]]
    if sorted(names) != sorted(parts):  # a code written twice, or changed on its way in
        return None
    return literals, names
