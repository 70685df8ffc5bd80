"""The contents of model.json: a Model as plain data, and back, checked as untrusted input.

Takes: a Model (to write) or the data parsed from a model.json (to read). Returns: plain data,
or a Model. A model file may have been edited by hand or made by anyone, so every value is
checked before it is used: numbers finite and in their declared ranges, sizes bounded, text
through the text rule, the percentiles it predicts finite across everything it covers. A value
that is wrong raises ValueError saying which and why, never quoting more than a few characters.

Format 2 (this one) added the attendance weighting, the support minimum per cell, the kind of
clients the model describes and the calibration by band. Format 1 files are refused with the
advice to fit them again: their support counts used another window, and their curves were not
weighted, so their cells cannot be checked against the support minimum.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from paperfit.forms import outputs
from paperfit.forms.instrument import AGE_GROUPS
from paperfit.forms.text import ValueProblem, parse_text, show
from paperfit.forms.trajectories import (
    KINDS,
    METHOD_VERSION,
    METHOD_WORDS,
    METHODS,
    MIN_FORMS,
    NEAR,
    NEIGHBOURS,
    PERCENTILES,
    SHAPES,
    WEIGHTINGS,
    Band,
    Calibration,
    GroupModel,
    Model,
    Record,
    raw_predictions,
)

FORMAT_NUMBER = 2
MODEL_FORMAT = f"{outputs.MODEL_FORMAT} {FORMAT_NUMBER}"
MAX_SESSION = 200  # the last session a model may cover
MAX_COUNT = 100_000_000  # clients or forms a model may say it rests on
MAX_COEFFICIENT = 1_000.0  # a coefficient of a total of 0-40 on ln(session) is far smaller
MAX_TEXT = 200  # characters of a model's text (its period, a group's refusal)
MAX_GRID = 41  # whole intakes a neighbours table may hold (0 to 40)


def model_to_dict(model: Model) -> dict[str, Any]:
    """The model as plain data for model.json: no client ID, name, clinician or session date."""
    return {
        "format": MODEL_FORMAT,
        "method": model.method,
        "method_version": model.version,
        "method_words": METHOD_WORDS[model.method],
        "kind": model.kind,
        "fitted_on": model.fitted_on.isoformat(),
        "period": model.period,
        "min_clients": model.min_clients,
        "min_support": model.min_support,
        "support_window": NEAR,
        "min_forms": MIN_FORMS,
        "copies_merged": model.copies_merged,
        "groups": {name: _group_to_dict(g) for name, g in model.groups.items()},
    }


def _group_to_dict(g: GroupModel) -> dict[str, Any]:
    c = g.calibration
    return {
        "clients": g.clients,
        "forms": g.forms,
        "refusal": g.refusal,
        "clients_with_3_forms": g.enough,
        "left_out_not_session_1": g.left_out,
        "weighting": g.weighting,
        "intake_range": list(g.intake_range),
        "session_range": list(g.session_range),
        "parameters": g.parameters,
        "clients_near": [list(row) for row in g.support],
        "attending": list(g.attending),
        "calibration": None
        if c is None
        else {
            "folds": c.folds,
            "held_out_sessions": c.sessions,
            "held_out_clients": c.clients,
            "nominal_percent": list(PERCENTILES),
            "below_percent": list(c.below),
            "bands": [
                {"band": b.name, "forms": b.forms, "clients": b.clients, "below": list(b.below)}
                for b in c.bands
            ],
            "record": None if c.record is None else list(vars(c.record).values()),
        },
    }


def model_from_dict(data: object, today: datetime.date) -> Model:
    """A Model from model_to_dict's data, every value checked. Raises ValueError (saying what
    is wrong, in words for a person) for data that is not such a model."""
    top = _mapping(data, "the file")
    if top.get("format") != MODEL_FORMAT:
        if isinstance(top.get("format"), str) and top["format"].startswith(outputs.MODEL_FORMAT):
            raise ValueError(
                f"it was written by an earlier paperfit ({show(top['format'])}); fit it again "
                "with paperfit trajectories"
            )
        raise ValueError(f"it is not a paperfit model (format {MODEL_FORMAT!r})")
    method = _choice(top, "method", METHODS)
    if _integer(top, "method_version", 0, 1_000) != METHOD_VERSION:
        raise ValueError(f"its method version is not {METHOD_VERSION}")
    fitted_on = _date(top, "fitted_on", today)
    groups_data = _mapping(top.get("groups"), "groups")
    if not set(groups_data) <= set(AGE_GROUPS):
        unknown = sorted(set(groups_data) - set(AGE_GROUPS))
        raise ValueError(f"its groups hold {show(unknown[0])}, not an age group")
    groups = {name: _group(method, name, _mapping(g, name)) for name, g in groups_data.items()}
    return Model(
        method,
        METHOD_VERSION,
        fitted_on,
        _integer(top, "min_clients", 1, MAX_COUNT),
        groups,
        _text(top, "period"),
        _integer(top, "min_support", 1, MAX_COUNT),
        _choice(top, "kind", KINDS),
        _integer(top, "copies_merged", 0, MAX_COUNT),
    )


def _group(method: str, name: str, g: Mapping[str, Any]) -> GroupModel:
    where = f"group {name}"
    refusal = _text(g, "refusal", where)
    base = {
        "refusal": refusal,
        "enough": _integer(g, "clients_with_3_forms", 0, MAX_COUNT, where),
        "left_out": _integer(g, "left_out_not_session_1", 0, MAX_COUNT, where),
        "weighting": _choice(g, "weighting", WEIGHTINGS, where),
    }
    clients = _integer(g, "clients", 0, MAX_COUNT, where)
    forms = _integer(g, "forms", 0, MAX_COUNT, where)
    if refusal:
        return GroupModel(name, clients, forms, **base)  # type: ignore[arg-type]
    low, high = _pair(g, "intake_range", float, 0, 40, where)
    first, last = _pair(g, "session_range", int, 2, MAX_SESSION, where)
    intakes = len(range(math.ceil(low), math.floor(high) + 1))
    support = _table(g.get("clients_near"), (last - first + 1, intakes), f"{where} clients_near")
    attending = _list(g.get("attending"), f"{where} attending", MAX_SESSION)
    group = GroupModel(
        name,
        clients,
        forms,
        intake_range=(low, high),
        session_range=(first, last),
        parameters=_parameters(method, g.get("parameters"), (first, last), where),
        support=tuple(tuple(int(_count(n, where)) for n in row) for row in support),
        calibration=_calibration(g.get("calibration"), where),
        attending=tuple(int(_count(n, where)) for n in attending),
        **base,  # type: ignore[arg-type]
    )
    _check_predictions(method, group, where)
    return group


def _check_predictions(method: str, group: GroupModel, where: str) -> None:
    """Every covered point must give four finite percentiles."""
    first, last = group.session_range
    intakes = np.linspace(*group.intake_range, 9)
    grid_i, grid_s = np.meshgrid(intakes, np.arange(first, last + 1, dtype=float))
    values = raw_predictions(method, group.parameters, grid_i.ravel(), grid_s.ravel())
    if not np.all(np.isfinite(values)) or np.abs(values).max() > 1e6:
        raise ValueError(f"{where}: its parameters do not give finite percentiles")


def _parameters(
    method: str, raw: object, sessions: tuple[int, int], where: str
) -> dict[str, object]:
    data = _mapping(raw, f"{where} parameters")
    if method == NEIGHBOURS:
        first_session = _integer(data, "first_session", 2, MAX_SESSION, where)
        if first_session != sessions[0]:
            raise ValueError(f"{where}: its table starts at session {first_session}, not the first")
        first_intake = _integer(data, "first_intake", 0, 40, where)
        table = _list(data.get("table"), f"{where} table", MAX_SESSION)
        if len(table) != sessions[1] - sessions[0] + 1:
            raise ValueError(f"{where}: its table does not hold one row per covered session")
        width = len(_list(table[0], f"{where} table", MAX_GRID)) if table else 0
        rows = [_table(row, (width, len(PERCENTILES)), f"{where} table") for row in table]
        values = [[[_number(v, 0, 40, where) for v in cell] for cell in row] for row in rows]
        return {"first_session": first_session, "first_intake": first_intake, "table": values}
    terms = tuple(_list(data.get("terms"), f"{where} terms", 10))
    if terms not in SHAPES or (method != "quantreg" and len(terms) == len(SHAPES[0])):
        raise ValueError(f"{where}: its terms are not a shape paperfit fits")
    coefficients = _mapping(data.get("coefficients"), f"{where} coefficients")
    beta = {}
    for p in PERCENTILES:
        row = _list(coefficients.get(f"p{p}"), f"{where} coefficients p{p}", len(terms))
        if len(row) != len(terms):
            raise ValueError(f"{where}: p{p} needs {len(terms)} coefficients")
        beta[f"p{p}"] = [_number(v, -MAX_COEFFICIENT, MAX_COEFFICIENT, where) for v in row]
    centre = _number(data.get("centre"), 20, 20, where)
    return {"centre": centre, "terms": list(terms), "coefficients": beta}


def _calibration(raw: object, where: str) -> Calibration | None:
    if raw is None:
        return None
    c = _mapping(raw, f"{where} calibration")
    bands = []
    for item in _list(c.get("bands", []), f"{where} calibration bands", 12):
        b = _mapping(item, f"{where} calibration band")
        bands.append(
            Band(
                _text(b, "band", where),
                _integer(b, "forms", 0, MAX_COUNT, where),
                _integer(b, "clients", 0, MAX_COUNT, where),
                _shares(b.get("below"), where),
            )
        )
    record = c.get("record")
    return Calibration(
        _integer(c, "folds", 2, 100, where),
        _integer(c, "held_out_sessions", 0, MAX_COUNT, where),
        _integer(c, "held_out_clients", 0, MAX_COUNT, where),
        _shares(c.get("below_percent"), where),
        tuple(bands),
        None
        if record is None
        else Record(*(_count(v, where) for v in _table([record], (1, 4), where)[0])),
    )


def _shares(raw: object, where: str) -> tuple[float, float, float, float]:
    values = _table([raw], (1, len(PERCENTILES)), f"{where} calibration")[0]
    return tuple(_number(v, 0, 100, where) for v in values)  # type: ignore[return-value]


def _mapping(raw: object, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{what} is not a table of named values")
    return raw


def _list(raw: object, what: str, longest: int) -> list[Any]:
    if not isinstance(raw, list):
        raise ValueError(f"{what} is not a list")
    if len(raw) > longest:
        raise ValueError(f"{what} holds {len(raw):,} values, more than the {longest:,} allowed")
    return raw


def _table(raw: object, shape: tuple[int, int], what: str) -> list[list[Any]]:
    rows = _list(raw, what, shape[0])
    if len(rows) != shape[0] or any(len(_list(r, what, shape[1])) != shape[1] for r in rows):
        raise ValueError(f"{what} is not {shape[0]} rows of {shape[1]} values")
    return rows


def _number(raw: object, low: float, high: float, where: str) -> float:
    """A finite number within LOW..HIGH (a 400-digit integer, NaN or 1e308 is not)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ValueError(f"{where}: {show(str(raw))} is not a number")
    if isinstance(raw, int) and abs(raw) > 10**15:
        raise ValueError(f"{where}: a number of {len(str(abs(raw)))} digits is out of range")
    value = float(raw)
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{where}: {value:g} is outside {low:g} to {high:g}")
    return value


def _count(raw: object, where: str) -> int:
    value = _number(raw, 0, MAX_COUNT, where)
    if not value.is_integer():
        raise ValueError(f"{where}: {value:g} is not a whole number")
    return int(value)


def _integer(
    data: Mapping[str, Any], key: str, low: int, high: int, where: str = "the model"
) -> int:
    value = _count(data.get(key), f"{where} {key}")
    if not low <= value <= high:
        raise ValueError(f"{where} {key}: {value:,} is outside {low:,} to {high:,}")
    return value


def _pair(
    data: Mapping[str, Any], key: str, kind: type, low: float, high: float, where: str
) -> tuple[Any, Any]:
    first, second = _table([data.get(key)], (1, 2), f"{where} {key}")[0]
    values = [_number(v, low, high, f"{where} {key}") for v in (first, second)]
    if values[0] > values[1] or (kind is int and not all(v.is_integer() for v in values)):
        raise ValueError(f"{where} {key} is not a range")
    return kind(values[0]), kind(values[1])


def _choice(data: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str = "") -> str:
    value = data.get(key)
    if value not in allowed:
        raise ValueError(f"{where or 'its'} {key} {show(str(value))} is not one of {allowed}")
    return str(value)


def _text(data: Mapping[str, Any], key: str, where: str = "the model") -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{where} {key} is not text")
    try:
        return parse_text(value, MAX_TEXT)
    except ValueProblem as problem:
        raise ValueError(f"{where} {key}: {problem}") from None


def _date(data: Mapping[str, Any], key: str, today: datetime.date) -> datetime.date:
    raw = data.get(key)
    try:
        value = (
            datetime.date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
        )
    except ValueError:
        value = None
    if value is None:
        raise ValueError(f"its {key} {show(str(raw))} is not a date (YYYY-MM-DD)")
    if value > today:
        raise ValueError(f"its {key} {value.isoformat()} is in the future")
    return value
