"""Read a TOML file and check its tables, so that every mistake names the file, key and reason."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from paperfit.forms.errors import InputProblem, Location

MAX_BYTES = 1_000_000  # a settings or instrument file is a few KB; /dev/zero is not one
UTF8_BOM = b"\xef\xbb\xbf"  # Notepad and some editors save UTF-8 with this mark first
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse PATH (UTF-8, with or without a byte-order mark, at most MAX_BYTES), turning
    syntax and encoding errors into an InputProblem that says how to fix them."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise InputProblem(Location(str(path)), f"cannot be read ({error.strerror}).") from None
    if len(data) > MAX_BYTES:
        raise InputProblem(
            Location(str(path)),
            f"is larger than {MAX_BYTES:,} bytes: it is not a settings or instrument file.",
        )
    if data.startswith(UTF16_BOMS):
        raise InputProblem(
            Location(str(path)),
            "is saved as UTF-16 (Unicode): save it again as UTF-8 (in Notepad: Save as, "
            "Encoding UTF-8).",
        )
    try:
        return tomllib.loads(data.removeprefix(UTF8_BOM).decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputProblem(
            Location(str(path)),
            f"is not UTF-8 text (byte {error.start + 1} cannot be read): save it as UTF-8.",
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise InputProblem(Location(str(path)), f"is not valid TOML: {error}.") from None


class Table:
    """One TOML table with typed accessors that report the dotted key on a mistake."""

    def __init__(self, path: Path, data: Mapping[str, Any], prefix: str = "") -> None:
        self.path = path
        self.data = data
        self.prefix = prefix

    def where(self, key: str) -> Location:
        return Location(str(self.path), key=f"{self.prefix}{key}")

    def fail(self, key: str, reason: str) -> InputProblem:
        return InputProblem(self.where(key), reason)

    def only(self, allowed: Iterable[str]) -> None:
        """Reject keys outside ALLOWED, naming the first unknown one."""
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(key, f"is not a known setting here (known: {known}).")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "is missing.")
            return default
        value = self.data[key]
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise self.fail(key, f"must be {_describe(kind)}, not true/false.")
        if not isinstance(value, kind):
            raise self.fail(key, f"must be {_describe(kind)}, not {value!r}.")
        return value

    def text(self, key: str, default: Any = ...) -> str:
        value = self.get(key, str, default)
        if isinstance(value, str) and not value.strip() and default is ...:
            raise self.fail(key, "must not be empty.")
        return value

    def choice(self, key: str, choices: Iterable[str], default: Any = ...) -> str:
        value = self.text(key, default)
        choices = list(choices)
        if value not in choices:
            raise self.fail(key, f"must be one of {', '.join(choices)}, not {value!r}.")
        return value

    def texts(self, key: str, default: Any = ...) -> list[str]:
        values = self.get(key, list, default)
        for value in values:
            if not isinstance(value, str):
                raise self.fail(key, f"must be a list of text, but holds {value!r}.")
        return list(values)

    def table(self, key: str, required: bool = True) -> Table | None:
        if key not in self.data and not required:
            return None
        return Table(self.path, self.get(key, dict), f"{self.prefix}{key}.")

    def tables(self, key: str) -> list[Table]:
        values = self.get(key, list)
        result = []
        for index, value in enumerate(values, start=1):
            if not isinstance(value, dict):
                raise self.fail(key, f"entry {index} must be a table.")
            result.append(Table(self.path, value, f"{self.prefix}{key}[{index}]."))
        return result


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


def _describe(kind: type | tuple[type, ...]) -> str:
    return " or ".join(_NAMES.get(k, k.__name__) for k in _as_tuple(kind))
