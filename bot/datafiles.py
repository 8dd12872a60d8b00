"""Loading the YAML data files head office edits, with errors an operator can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataFileError(Exception):
    """A data file that cannot be used: names the file, the entry and the field."""

    def __init__(self, path: Path, entry: str, field: str, problem: str) -> None:
        self.path, self.entry, self.field, self.problem = path, entry, field, problem
        super().__init__(f"{path}: {entry}: field '{field}': {problem}")


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.safe_load(stream)
    except OSError as error:
        raise DataFileError(path, "file", "-", f"cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise DataFileError(path, "file", "-", f"is not valid YAML: {error}") from error


def parse_model(model: type[M], path: Path, raw: Any) -> M:
    """Validate `raw`, turning the first pydantic error into a `DataFileError`."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise DataFileError(
            path, _entry_name(raw, first["loc"]), _field_name(first["loc"]), first["msg"]
        ) from error


def _entry_name(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Name the entry by its id or code when it has one, else by its position."""
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(raw, dict):
        section, index = loc[0], loc[1]
        items = raw.get(section)
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            key = items[index].get("id") or items[index].get("code")
            if key:
                return f"{section} entry '{key}'"
        return f"{section} entry #{index + 1}"
    return str(loc[0]) if loc else "file"


def _field_name(loc: tuple[int | str, ...]) -> str:
    rest = [str(part) for part in loc[2:] if not str(part).startswith(("str", "dict["))]
    if rest:
        return ".".join(rest)
    return "(whole entry)" if len(loc) >= 2 else str(loc[0]) if loc else "-"
