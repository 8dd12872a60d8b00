"""The troubleshooting tree: questions that narrow a fault down and misuse fixes to try first.

The tree is data head office edits; this module validates it whole at start-up so a bad edit
is refused with a message naming the entry, instead of surfacing as a dead end for a customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.datafiles import DataFileError, parse_model, read_yaml
from bot.i18n import LocalizedText

BOOK = "book"
"""The reserved `next` target that starts a booking."""

NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
"""Short, so that a node id fits in a button's 64-byte callback data."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    id: NodeId
    title: LocalizedText
    start: NodeId
    warranty_months: int | None = Field(default=None, ge=1, le=240)
    """The manufacturer's warranty period; without it no ticket is judged likely covered."""


class Option(_Strict):
    label: LocalizedText
    next: NodeId


class Node(_Strict):
    """A question (`text` + `options`) or a fix (`fix` + `next`), never both."""

    id: NodeId
    text: LocalizedText | None = None
    options: list[Option] = Field(default_factory=list)
    fix: LocalizedText | None = None
    next: NodeId | None = None

    @model_validator(mode="after")
    def _question_or_fix(self) -> Self:
        if self.fix is not None:
            if self.text is not None or self.options:
                raise ValueError("a fix node has 'fix' and 'next', not 'text' or 'options'")
            if self.next is None:
                raise ValueError("a fix node needs 'next' (a node id or 'book')")
        elif self.text is None or not self.options:
            raise ValueError("a node needs either 'text' with 'options', or 'fix' with 'next'")
        elif self.next is not None:
            raise ValueError("a question node leads on through its options, not 'next'")
        if len(self.options) > 8:
            raise ValueError("at most 8 options fit on a phone screen")
        return self

    @property
    def is_fix(self) -> bool:
        return self.fix is not None

    def field_leading_to(self, target: str) -> str:
        """The field that names `target`, as an operator would look for it in the file."""
        if self.next is not None:
            return "next"
        index = next(i for i, option in enumerate(self.options) if option.next == target)
        return f"options.{index}.next"

    def targets(self) -> list[str]:
        return [self.next] if self.next is not None else [option.next for option in self.options]


class _TreeFile(_Strict):
    categories: list[Category] = Field(min_length=1)
    nodes: list[Node] = Field(min_length=1)


@dataclass(frozen=True)
class TroubleshootingTree:
    categories: dict[str, Category]
    nodes: dict[str, Node]

    def category(self, category_id: str) -> Category | None:
        return self.categories.get(category_id)

    def node(self, node_id: str) -> Node | None:
        return self.nodes.get(node_id)

    def reachable_from(self, start: str) -> set[str]:
        seen: set[str] = set()
        stack = [start]
        while stack:
            node_id = stack.pop()
            if node_id == BOOK or node_id in seen:
                continue
            seen.add(node_id)
            stack.extend(self.nodes[node_id].targets())
        return seen


def load_tree(path: Path) -> TroubleshootingTree:
    raw = read_yaml(path)
    parsed = parse_model(_TreeFile, path, raw)
    return build_tree(parsed.categories, parsed.nodes, path)


def build_tree(categories: list[Category], nodes: list[Node], path: Path) -> TroubleshootingTree:
    """Check the tree as a whole: ids known and unique, no cycles, every node reachable."""
    _unique(path, "categories", [category.id for category in categories])
    _unique(path, "nodes", [node.id for node in nodes])
    by_id = {node.id: node for node in nodes}
    for category in categories:
        if category.start not in by_id:
            raise DataFileError(
                path,
                f"categories entry '{category.id}'",
                "start",
                f"unknown node id '{category.start}'",
            )
    for node in nodes:
        for target in node.targets():
            if target != BOOK and target not in by_id:
                raise DataFileError(
                    path,
                    f"nodes entry '{node.id}'",
                    node.field_leading_to(target),
                    f"unknown node id '{target}' (use a node id or '{BOOK}')",
                )
    _refuse_cycles(path, by_id)
    tree = TroubleshootingTree({category.id: category for category in categories}, by_id)
    reachable: set[str] = set()
    for category in categories:
        reachable |= tree.reachable_from(category.start)
    for node in nodes:
        if node.id not in reachable:
            raise DataFileError(
                path,
                f"nodes entry '{node.id}'",
                "id",
                "unreachable: no category start or option leads here",
            )
    return tree


def _unique(path: Path, section: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise DataFileError(path, f"{section} entry '{item_id}'", "id", "duplicate id")
        seen.add(item_id)


def _refuse_cycles(path: Path, nodes: dict[str, Node]) -> None:
    """Depth-first search with colours; a grey node seen again closes a cycle."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(nodes, white)
    for root in nodes:
        if colour[root] != white:
            continue
        stack: list[tuple[str, list[str]]] = [(root, list(nodes[root].targets()))]
        colour[root] = grey
        while stack:
            node_id, pending = stack[-1]
            target = pending.pop() if pending else None
            if target is None:
                colour[node_id] = black
                stack.pop()
            elif target == BOOK or colour[target] == black:
                continue
            elif colour[target] == grey:
                path_ids = [frame[0] for frame in stack]
                loop = [*path_ids[path_ids.index(target) :], target]
                raise DataFileError(
                    path,
                    f"nodes entry '{node_id}'",
                    nodes[node_id].field_leading_to(target),
                    "cycle: " + " -> ".join(loop),
                )
            else:
                colour[target] = grey
                stack.append((target, list(nodes[target].targets())))
