"""Read a model of expected courses (model.json, written by `paperfit trajectories`).

Takes: the path of a model.json. Returns: a forms.trajectories.Model. A file that is missing,
not JSON or not such a model raises InputProblem naming the file and what to do.
"""

from __future__ import annotations

import json
from pathlib import Path

from paperfit.forms.errors import InputProblem, Location
from paperfit.forms.trajectories import Model, model_from_dict


def read_model(path: Path) -> Model:
    """The model in PATH."""
    where = Location(str(path))
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))  # a BOM is allowed
    except OSError as error:
        raise InputProblem(where, f"cannot be read ({error.strerror}).") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputProblem(
            where,
            "is not a model file (JSON). Give the model.json that paperfit trajectories wrote.",
        ) from None
    try:
        return model_from_dict(data if isinstance(data, dict) else {})
    except ValueError as error:
        raise InputProblem(
            where, f"cannot be used: {error}. Write it again with paperfit trajectories."
        ) from None
