"""YAML that remembers where each value came from, so every problem can name its line.

PyYAML's composer keeps a start mark on every node; we build plain dicts and lists from those nodes and
keep the 1-based line of each mapping key and list item beside them.
"""

from __future__ import annotations

from typing import Any

import yaml


class YamlError(Exception):
    """The text is not valid YAML; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class PosDict(dict[str, Any]):
    """A mapping with the line of the mapping itself and of each key."""

    line: int
    key_lines: dict[str, int]
    duplicates: list[tuple[str, int]]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class PosList(list[Any]):
    """A sequence with the line of the sequence itself and of each item."""

    line: int
    item_lines: list[int]


def _convert(loader: yaml.SafeLoader, node: yaml.Node, offset: int) -> Any:
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        result = PosDict()
        result.line = line
        result.key_lines = {}
        result.duplicates = []
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = str(key)
            key_line = key_node.start_mark.line + 1 + offset
            if key in result:
                result.duplicates.append((key, key_line))
            result[key] = _convert(loader, value_node, offset)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        items = PosList()
        items.line = line
        items.item_lines = []
        for item in node.value:
            items.append(_convert(loader, item, offset))
            items.item_lines.append(item.start_mark.line + 1 + offset)
        return items
    return loader.construct_object(node, deep=True)


def parse(text: str, line_offset: int = 0) -> Any:
    """Parse one YAML document; lines reported are shifted by `line_offset` (for front matter)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, line_offset)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        problem = error.problem or error.context or "not valid YAML"
        return _raise(line, f"not valid YAML: {problem}")
    except yaml.YAMLError as error:
        return _raise(1 + line_offset, f"not valid YAML: {error}")
    finally:
        loader.dispose()


def _raise(line: int, message: str) -> Any:
    raise YamlError(line, message)
