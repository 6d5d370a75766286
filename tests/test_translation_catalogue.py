"""The zh-hans catalogue is complete: every message translated, nothing left fuzzy."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid:
            continue
        text = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        if text:
            yield text, block


def test_no_message_is_left_untranslated():
    untranslated = [
        text
        for text, block in _entries()
        if re.search(r'^msgstr(\[0\])? ""\n(?!")', block + "\n", re.M)
    ]
    assert untranslated == []


def test_no_message_is_fuzzy():
    assert [text for text, block in _entries() if re.search(r"^#,.*fuzzy", block, re.M)] == []
