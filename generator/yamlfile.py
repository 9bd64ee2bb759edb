"""YAML with line numbers: PyYAML's safe loader, plus the source line of every key.

Errors become ``ContentError`` at the real line of the file (front matter starts below the
opening ``---``, so callers pass ``first_line``). Duplicate keys are an error here, though
PyYAML silently keeps the last one: a duplicated ``title:`` is nearly always a mistake.
"""

from __future__ import annotations

from typing import Any

import yaml

from generator.errors import ContentError


def load_yaml(text: str, path: str, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    """Parse ``text`` safely. Returns ``(data, key_lines)`` where ``key_lines`` maps dotted key
    paths (``"widgets.0.ranges.kernel"``) to 1-based file lines."""
    if _FAST is not None:
        # libyaml is several times faster; on any error the pure-Python parser runs again
        # because its messages name the offending character (a tab, say) and libyaml's do not.
        try:
            return _load(_FAST, text, path, first_line)
        except ContentError:
            pass
    return _load(_SafeLoader, text, path, first_line)


class _SafeLoader(yaml.SafeLoader):
    pass


# Timestamps stay text: PyYAML would raise a bare ValueError on "2030-02-30" or "25:61", while
# content.parse_date reads the text itself and names the line.
_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_str)
_FAST: type | None = None
if hasattr(yaml, "CSafeLoader"):
    class _FastLoader(yaml.CSafeLoader):  # type: ignore[name-defined, misc]
        pass

    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _FastLoader.construct_yaml_str)
    _FAST = _FastLoader


def _load(loader_class: type, text: str, path: str, first_line: int) -> tuple[Any, dict[str, int]]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        key_lines: dict[str, int] = {}
        if node is not None:
            _walk(node, "", key_lines, path, first_line)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote is only noticed at the end of the text; point at where it opened.
        opened = exc.context_mark if "quoted scalar" in (exc.context or "") else None
        mark = opened or exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "cannot parse"
        if opened is not None:
            problem = "unclosed quoted string"
        raise ContentError(path, line, f"invalid YAML: {problem}", _hint(problem)) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, first_line, f"invalid YAML: {exc}", "check the quoting near this line") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value a YAML constructor refuses
        raise ContentError(path, first_line, f"invalid YAML value: {exc}", "quote the value to keep it as text") from None
    finally:
        loader.dispose()
    return data, key_lines


def _hint(problem: str) -> str:
    if "'\\t'" in problem or "\\t" in problem:
        return "indent with spaces; YAML does not allow tabs"
    if "could not find expected ':'" in problem or "mapping values are not allowed" in problem:
        return "quote values that contain ': ' and check indentation"
    if "unclosed quoted" in problem or "found unexpected end of stream" in problem:
        return "close the quote opened on this line"
    return "check the indentation and quoting near this line"


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int], path: str, first_line: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = first_line + key_node.start_mark.line
            if key in seen:
                raise ContentError(
                    path, line, f"duplicate key {key!r} (first set on line {seen[key]})",
                    "keep one of the two",
                )
            seen[key] = line
            dotted = f"{prefix}{key}"
            lines[dotted] = line
            _walk(value_node, dotted + ".", lines, path, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            dotted = f"{prefix}{index}"
            lines[dotted] = first_line + item.start_mark.line
            _walk(item, dotted + ".", lines, path, first_line)
