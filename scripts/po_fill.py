"""Fill English msgstr entries of locale/en from a JSON dict {msgid: msgstr} (keeps others).

locale/en/translations.json is the translation memory `make messages` applies after
makemessages; add new strings there.

Usage: python scripts/po_fill.py translations.json  — then `make messages` compiles them."""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"


def unquote(block: str) -> str:
    return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', block))


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(path: str) -> None:
    table = json.loads(Path(path).read_text())
    entries = PO.read_text().split("\n\n")
    out, filled = [], 0
    for entry in entries:
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', entry + "\n", re.M)
        plural = re.search(
            r'^msgid ((?:".*"\n?)+)msgid_plural ((?:".*"\n?)+)msgstr\[0\]', entry + "\n", re.M
        )
        if plural and isinstance(table.get(unquote(plural.group(1))), list):
            # Plurals: the memory holds [singular, plural].
            msgid = unquote(plural.group(1))
            one, many = table[msgid]
            head = entry[: plural.start()]
            head = re.sub(r"^#\| .*\n", "", head, flags=re.M).replace("#, fuzzy, ", "#, ")
            entry = (
                f"{head}msgid {quote(msgid)}\nmsgid_plural {quote(unquote(plural.group(2)))}\n"
                f"msgstr[0] {quote(one)}\nmsgstr[1] {quote(many)}"
            )
            filled += 1
        elif m and not re.search(r"^msgid_plural ", entry, re.M):
            msgid = unquote(m.group(1))
            if msgid in table:
                head = entry[: m.start()]
                entry = f"{head}msgid {quote(msgid)}\nmsgstr {quote(table[msgid])}"
                entry = re.sub(r"^#\| .*\n", "", entry, flags=re.M)  # previous msgid
                entry = entry.replace("#, fuzzy\n", "").replace("#, fuzzy, ", "#, ")
                filled += 1
        out.append(entry.rstrip("\n"))
    PO.write_text("\n\n".join(out) + "\n")
    print(f"{filled} entries filled")


if __name__ == "__main__":
    main(sys.argv[1])
