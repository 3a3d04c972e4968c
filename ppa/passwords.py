"""Password rules beyond Django's: no words that an attacker would try first for this system."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ppa.models import Region

# Words tied to this system and its users (ASVS 6.2.11): the product, the unit, the ministry.
CONTEXT_WORDS = (
    "sinergi",
    "simfoni",
    "uptd",
    "ppa",
    "dp3a",
    "dp3ap2kb",
    "dppppa",
    "kemenpppa",
    "pppa",
    "perlindungan",
    "kekerasan",
)
_REGION_PREFIXES = re.compile(r"^(kota|kabupaten|kab|provinsi|kecamatan|kelurahan|desa)\s+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})


def normalise(text: str) -> str:
    """Lower case, accents and separators removed: 'Paya-Kumbuh' -> 'payakumbuh'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9@]", "", text)


def region_words() -> set[str]:
    """Names of the provinces and cities where the system has agencies ('payakumbuh', ...)."""
    names = Region.objects.filter(level__lte=2, agencies__isnull=False).values_list(
        "name", "parent__name"
    )
    words = set()
    for name, parent in names:
        for raw in (name, parent):
            if raw:
                word = normalise(_REGION_PREFIXES.sub("", raw.lower()))
                if len(word) >= 4:
                    words.add(word)
    return words


class ContextWordValidator:
    """Refuses passwords containing the system's name, the unit, the ministry or a region name
    of the agencies using it, also when written with digits for letters (s1nerg1)."""

    def validate(self, password: str, user: object = None) -> None:
        plain = normalise(password)
        folded = plain.translate(_LEET)
        for word in (*CONTEXT_WORDS, *region_words()):
            if word in plain or word in folded:
                raise ValidationError(
                    _(
                        "Kata sandi tidak boleh memuat kata yang mudah ditebak untuk sistem ini "
                        "(misalnya nama aplikasi, lembaga, atau daerah)."
                    ),
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _(
            "Kata sandi tidak boleh memuat nama aplikasi, nama lembaga (PPA, UPTD, DP3A) "
            "atau nama daerah."
        )
