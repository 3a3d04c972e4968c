"""Statistics read from the read replica when one is configured and fresh (see ppa/db.py)."""

from __future__ import annotations

from dataclasses import replace

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ppa.db import ReadSource, reading_from, replica_configured
from reports.selectors import ReportParams, Snapshot, annual_statistics


def source_note(source: ReadSource) -> str:
    """The "data per ..." sentence shown under the figures (empty without a replica)."""
    if not replica_configured():
        return ""
    moment = formats.date_format(timezone.localtime(source.as_of), "j F Y H:i")
    if source.is_replica:
        return _("Data per %(moment)s (dibaca dari salinan basis data untuk laporan).") % {
            "moment": moment
        }
    return _(
        "Data per %(moment)s (salinan basis data untuk laporan tidak tersedia atau tertinggal; "
        "angka dibaca dari basis data utama)."
    ) % {"moment": moment}


def statistics_from(params: ReportParams, source: ReadSource) -> Snapshot:
    """`annual_statistics` read where `source` says, with its "data per" note."""
    with reading_from(source):
        snapshot = annual_statistics(params)
    note = source_note(source)
    return replace(snapshot, source_note=note) if note else snapshot
