"""Read a model of expected courses (model.json, written by `paperfit trajectories`).

Takes: the path of a model.json and the limits in force. Returns: a forms.trajectories.Model.
A model file is untrusted input (edited by hand, copied from anywhere): it is read only up to
model_bytes, parsed without NaN or Infinity and with its nesting bounded, and every value is
checked (forms.model_file). A file that is missing, not JSON or not such a model raises
InputProblem naming the file and what to do; no message quotes more than a few characters.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from paperfit.forms.errors import InputProblem, Location
from paperfit.forms.limits import DEFAULT_LIMITS, Limits
from paperfit.forms.model_file import model_from_dict
from paperfit.forms.trajectories import Model

AGAIN = "Write it again with paperfit trajectories."


def read_model(
    path: Path, limits: Limits = DEFAULT_LIMITS, today: datetime.date | None = None
) -> Model:
    """The model in PATH."""
    where = Location(str(path))
    text = _text(Path(path), where, limits.model_bytes)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except _Constant as constant:
        raise InputProblem(where, f"holds {constant}, which is not a number. {AGAIN}") from None
    except RecursionError:
        raise InputProblem(where, f"is nested too deeply to be a model file. {AGAIN}") from None
    except ValueError:  # not JSON, or an integer of thousands of digits
        raise InputProblem(
            where,
            "is not a model file (JSON). Give the model.json that paperfit trajectories wrote.",
        ) from None
    try:
        return model_from_dict(data, today or datetime.date.today())
    except ValueError as error:
        raise InputProblem(where, f"cannot be used: {error}. {AGAIN}") from None


def _text(path: Path, where: Location, limit: int) -> str:
    """The file's text, read no further than LIMIT bytes (a device or a huge file stops there)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise InputProblem(where, f"cannot be read ({error.strerror}).") from None
    if len(data) > limit:
        raise InputProblem(
            where,
            f"is larger than the {limit:,} bytes a model file may have (model_bytes in "
            "paperfit.toml's [limits]); a model paperfit writes is far smaller. Give the "
            "model.json that paperfit trajectories wrote.",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputProblem(
            where,
            "is not a model file (its text is not UTF-8). Give the model.json that paperfit "
            "trajectories wrote.",
        ) from None


class _Constant(ValueError):
    pass


def _no_constant(name: str) -> object:
    raise _Constant(name)
