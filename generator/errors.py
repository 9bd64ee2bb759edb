"""Content errors: every problem a user can fix is reported as ``path:line: message``.

Code that finds bad input raises :class:`ContentError` (or collects several into
:class:`ContentErrors`); the CLI prints them and exits 1. A Python traceback is reserved
for bugs in Stride itself.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one file. ``line`` is 1-based; 0 means "the file as a whole"."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"
    column: int = 0  # 1-based; 0 when only the line is known

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.line and self.column:
            where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.severity == "warning":
            text = f"{where}: warning: {text[len(where) + 2:]}"
        return text


class ContentError(Exception):
    """A single fixable problem in the site's input."""

    def __init__(self, path: str | Path, line: int, message: str, hint: str = "") -> None:
        self.diagnostic = Diagnostic(display_path(path), int(line or 0), message, hint)
        super().__init__(str(self.diagnostic))


class ContentErrors(Exception):
    """Several problems found in one pass; raised so the user sees all of them at once."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.path, d.line, d.message))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def display_path(path: str | Path) -> str:
    """Paths in messages are relative to the working directory when possible, POSIX style."""
    try:
        cwd_text = os.getcwd()
    except OSError:
        return Path(path).as_posix()
    text = os.fspath(path)
    if os.sep == "/" and isinstance(text, str):
        # Most paths are plain ones under the working directory: the answer is a slice of the
        # text, when the slice needs none of the clean-up Path would make (// or . parts).
        # Every document read names its path this way, so pathlib's 30-40 µs a call add up.
        absolute = text if text.startswith("/") else f"{cwd_text}/{text}"
        prefix = cwd_text if cwd_text.endswith("/") else cwd_text + "/"
        if absolute.startswith(prefix):
            rest = absolute[len(prefix):]
            marked = f"/{rest}/"
            if rest and "//" not in marked and "/./" not in marked:
                return rest
    p = Path(path)
    cwd = Path(cwd_text)
    # Symlinks inside the project stay as written (a message about a link loop must name the
    # link); resolving is only the fallback for paths reached through a link to the project.
    try:
        return p.absolute().relative_to(cwd).as_posix()
    except ValueError:
        pass
    try:
        return p.resolve().relative_to(cwd.resolve()).as_posix()  # resolving costs a stat per part
    except ValueError:
        return p.as_posix()


def errors_of(exc: BaseException) -> list[Diagnostic]:
    """The diagnostics a ContentError or ContentErrors carries (none for anything else)."""
    if isinstance(exc, ContentErrors):
        return list(exc.diagnostics)
    if isinstance(exc, ContentError):
        return [exc.diagnostic]
    return []


def report(diagnostics: "list[Diagnostic] | tuple[Diagnostic, ...]", stream=None) -> None:
    """Print diagnostics one a line, on stderr unless ``stream`` is given."""
    stream = stream or sys.stderr
    for diagnostic in diagnostics:
        print(str(diagnostic), file=stream)
