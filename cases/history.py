"""The case history as people read it: one entry per save (an action), saying who did what in
words, with the field-by-field details folded under it.

The rows come from `selectors.case_history` (one row per changed table row, newest first, in a
fixed number of queries); grouping is plain Python over them, so the page's query count does
not change. One save writes its rows within one transaction, a fraction of a second apart:
rows of the same person with the same reason, each within `SAVE_GAP` of the previous one,
are one action."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cases.selectors import HistoryEntry

SAVE_GAP = dt.timedelta(seconds=3)
MAX_NAMED_FIELDS = 3


@dataclass
class HistoryAction:
    when: dt.datetime
    who: str
    reason: str
    entries: list[HistoryEntry] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """What was done, in words: "mencatat kasus ini", "mengubah Kasus (Tahap, Risiko)",
        "menambahkan Layanan; mengubah Batas waktu"."""
        if any(e.kind == "+" and _subject(e) == _("Kasus") for e in self.entries):
            return _("mencatat kasus ini")
        parts: dict[tuple[str, str], list[HistoryEntry]] = {}
        for entry in reversed(self.entries):  # in the order they were saved
            parts.setdefault((entry.kind, _subject(entry)), []).append(entry)
        return "; ".join(_phrase(kind, subject, rows) for (kind, subject), rows in parts.items())


def _subject(entry: HistoryEntry) -> str:
    return entry.what.split(":", 1)[0].strip()


def _phrase(kind: str, subject: str, rows: list[HistoryEntry]) -> str:
    what = subject if len(rows) == 1 else f"{subject} ({len(rows)})"
    if kind == "+":
        return _("menambahkan %(what)s") % {"what": what}
    if kind == "-":
        return _("menghapus %(what)s") % {"what": what}
    fields = list(dict.fromkeys(label for row in rows for label, _old, _new in row.changes))
    if fields and len(fields) <= MAX_NAMED_FIELDS:
        what = f"{what}: {', '.join(fields)}"
    return _("mengubah %(what)s") % {"what": what}


def by_save(entries: list[HistoryEntry]) -> list[HistoryAction]:
    """`entries` newest first, as `case_history` returns them; actions newest first."""
    actions: list[HistoryAction] = []
    last_when: dt.datetime | None = None
    for entry in entries:
        current = actions[-1] if actions else None
        if (
            current is None
            or last_when is None
            or entry.who != current.who
            or entry.reason != current.reason
            or last_when - entry.when > SAVE_GAP
        ):
            current = HistoryAction(when=entry.when, who=entry.who, reason=entry.reason)
            actions.append(current)
        current.entries.append(entry)
        last_when = entry.when
    return actions
