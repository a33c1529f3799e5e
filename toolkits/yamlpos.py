"""YAML that remembers where each value came from, so every problem can name its line.

PyYAML's composer keeps a start mark on every node; we build plain dicts and lists from those nodes and
keep the 1-based line of each mapping key and list item beside them.

Hostile YAML is refused with a line, never an exception other than `YamlError`: the events are counted
before anything is built (nesting depth and aliases, see `toolkits.limits`), the values built are
counted as aliases expand (a "billion laughs" document stops at `MAX_YAML_NODES`), keys must be plain
text, and no text value may hold a control character or a lone surrogate (`"\\0"`, `"\\ud800"`).
"""

from __future__ import annotations

from typing import Any

import yaml

from toolkits.limits import MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_NODES, forbidden_character


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


class _Builder:
    """Builds PosDict/PosList values from composed nodes, counting them as aliases expand."""

    def __init__(self, loader: yaml.SafeLoader, offset: int) -> None:
        self.loader = loader
        self.offset = offset
        self.built = 0

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1 + self.offset

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        self.built += 1
        if self.built > MAX_YAML_NODES:
            raise YamlError(self.line(node), f"the file expands to more than {MAX_YAML_NODES} values "
                            "(aliases repeated inside aliases?)")  # fmt: skip
        if depth > MAX_YAML_DEPTH:  # a recursive alias (`&a [*a]`) nests for ever
            raise YamlError(self.line(node), f"lists and mappings are nested more than {MAX_YAML_DEPTH} deep")
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            items = PosList()
            items.line = self.line(node)
            items.item_lines = []
            for item in node.value:
                items.append(self.convert(item, depth + 1))
                items.item_lines.append(self.line(item))
            return items
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, depth: int) -> PosDict:
        result = PosDict()
        result.line = self.line(node)
        result.key_lines = {}
        result.duplicates = []
        self.loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(self.line(key_node), "a key must be plain text, not a list or mapping")
            key = str(self.scalar(key_node))
            key_line = self.line(key_node)
            if key in result:
                result.duplicates.append((key, key_line))
            result[key] = self.convert(value_node, depth + 1)
            result.key_lines[key] = key_line
        return result

    def scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as error:
            # e.g. an integer of 5,000 digits (Python's int limit), or a date like 2024-02-30.
            raise YamlError(self.line(node), f"the value cannot be read ({error})") from None
        if isinstance(value, str):
            bad = forbidden_character(value)
            if bad is not None:
                raise YamlError(self.line(node), bad[1])
        return value


def _check_events(text: str, offset: int) -> None:
    """Refuse deep nesting and many aliases before composing (PyYAML's composer recurses per level)."""
    depth = 0
    aliases = 0
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()  # type: ignore[no-untyped-call]
            line = int(event.start_mark.line) + 1 + offset
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise YamlError(line, f"lists and mappings are nested more than {MAX_YAML_DEPTH} deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_YAML_ALIASES:
                    raise YamlError(line, f"the file uses more than {MAX_YAML_ALIASES} aliases (`*name`)")
    finally:
        loader.dispose()


def parse(text: str, line_offset: int = 0) -> Any:
    """Parse one YAML document; lines reported are shifted by `line_offset` (for front matter)."""
    loader: yaml.SafeLoader | None = None
    try:
        _check_events(text, line_offset)
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        return _Builder(loader, line_offset).convert(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        problem = ", ".join(p for p in (error.context, error.problem) if p) or "not valid YAML"
        return _raise(line, f"not valid YAML: {problem}")
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, max(error.position, 0)) + 1 + line_offset
        return _raise(line, f"not valid YAML: {error.reason} character #x{error.character:04x}")
    except yaml.YAMLError as error:
        return _raise(1 + line_offset, f"not valid YAML: {error}")
    finally:
        if loader is not None:
            loader.dispose()


def _raise(line: int, message: str) -> Any:
    raise YamlError(line, message)
