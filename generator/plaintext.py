"""Checks on text files a user writes (posts, pages, site.yml, .bib files).

Control characters other than tab and the line ends have no meaning in Markdown, YAML or
BibTeX; a stray NUL (a bad copy and paste, a binary file saved as .md) would otherwise crash
the YAML parser or end up in feed.xml, which XML forbids outright.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

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


def reject_control_values(data: Any, lines: Mapping[str, int], path: str | Path, key: str = "") -> None:
    """The same check on parsed YAML values: a double-quoted ``"\\0"`` or ``"\\e"`` escape makes a
    control character without one in the file. Raised at the line of the key holding it."""
    if isinstance(data, str):
        match = _CONTROL.search(data)
        if match is not None:
            raise ContentError(path, lines.get(key, 1), f"control character U+{ord(match.group()):04X} in "
                               f"{key or 'the value'!r}", "remove the escape; only tabs and line breaks may appear")
    elif isinstance(data, dict):
        for name, value in data.items():
            reject_control_values(value, lines, path, f"{key}.{name}" if key else str(name))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            reject_control_values(value, lines, path, f"{key}.{index}" if f"{key}.{index}" in lines else key)
