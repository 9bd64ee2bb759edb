"""Checks on text files a user writes (posts, pages, site.yml, .bib files).

Control characters other than tab and the line ends have no meaning in Markdown, YAML or
BibTeX; a stray NUL (a bad copy and paste, a binary file saved as .md) would otherwise crash
the YAML parser or end up in feed.xml, which XML forbids outright.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.errors import ContentError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def reject_control_characters(text: str, path: str | Path, first_line: int = 1) -> None:
    """Raise ContentError at the line of the first C0 control character other than \\t \\n \\r."""
    match = _CONTROL.search(text)
    if match is None:
        return
    line = first_line + text.count("\n", 0, match.start())
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    raise ContentError(path, line, f"control character U+{ord(match.group()):04X} in column {column}",
                       "delete it; only tabs and line breaks may appear in text files")
