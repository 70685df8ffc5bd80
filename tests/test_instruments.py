"""The instrument files: shipped wording loads, and a practice's own files are checked."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from paperfit.forms import BUILTIN_DIR
from paperfit.forms.errors import InputProblem, UsageProblem
from paperfit.forms.instrument import Catalog, load_instrument

ORS_TEXT = (BUILTIN_DIR / "ors.toml").read_text(encoding="utf-8")


def write_instrument(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_instruments_load_with_four_items_each(catalog: Catalog) -> None:
    assert catalog.ids == ["CORS", "CSRS", "GSRS", "ORS", "SRS"]
    for ident in catalog.ids:
        instrument = catalog.get(ident)
        assert len(instrument.items) == 4
        assert instrument.copyright.startswith("©")


def test_wording_matches_the_domain_facts(catalog: Catalog) -> None:
    ors, srs = catalog.get("ORS"), catalog.get("SRS")
    assert [i.label for i in ors.items] == [
        "Individually",
        "Interpersonally",
        "Socially",
        "Overall",
    ]
    assert ors.items[2].description == "(Work, school, friendships)"
    assert ors.instructions.startswith("Looking back over the last week, including today,")
    assert srs.items[1].left == (
        "We did not work on or talk about what I wanted to work on and talk about."
    )
    assert srs.items[3].right == "Overall, today's session was right for me."
    assert catalog.get("CORS").faces == ("frown", "smile")
    assert catalog.get("CORS").filled_by.choices == ("Child", "Caretaker")


def test_ids_are_case_insensitive_and_unknown_ids_are_usage_errors(catalog: Catalog) -> None:
    assert catalog.get("srs").id == "SRS"
    assert catalog.get(" Cors ").id == "CORS"
    with pytest.raises(UsageProblem, match="Known instruments: CORS, CSRS, GSRS, ORS, SRS"):
        catalog.get("PHQ9")


@pytest.mark.parametrize(
    ("age_group", "kind", "fmt", "expected"),
    [
        ("adult", "outcome", "individual", "ORS"),
        ("adolescent", "alliance", "individual", "SRS"),
        ("adult", "alliance", "group", "GSRS"),
        ("child", "outcome", "individual", "CORS"),
        ("child", "alliance", "individual", "CSRS"),
        ("child", "alliance", "group", "CSRS"),
    ],
)
def test_forms_for_a_client(catalog: Catalog, age_group, kind, fmt, expected) -> None:
    assert catalog.for_client(age_group, kind, fmt, "en").id == expected


def test_scoring_values_come_from_the_files(catalog: Catalog) -> None:
    assert catalog.get("ORS").scoring.cutoff == {"adult": 25.0, "adolescent": 28.0}
    assert catalog.get("CORS").scoring.cutoff == {"child": 32.0}
    assert catalog.get("ORS").scoring.rci == 5.0
    assert catalog.get("SRS").scoring.alert_total == 36.0


def test_a_practice_translation_replaces_the_wording_for_its_language(tmp_path: Path) -> None:
    spanish = ORS_TEXT.replace('language = "en"', 'language = "es"').replace(
        "Individually", "Individualmente"
    )
    write_instrument(tmp_path / "mine", "ors-es.toml", spanish)
    catalog = Catalog.load(tmp_path / "mine")
    assert catalog.get("ORS", "es").items[0].label == "Individualmente"
    assert catalog.get("ORS", "fr").items[0].label == "Individually"
    assert catalog.get("ORS").items[0].label == "Individually"


def test_a_practice_can_add_an_instrument(tmp_path: Path) -> None:
    extra = ORS_TEXT.replace('id = "ORS"', 'id = "XORS"')
    write_instrument(tmp_path, "xors.toml", extra)
    assert "XORS" in Catalog.load(tmp_path).ids


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        (('kind = "outcome"', 'kind = "mood"'), "kind", "must be one of outcome, alliance"),
        (("layout = 1", 'layout = "one"'), "layout", "must be a whole number"),
        (
            ('[[items]]\nlabel = "Overall"', '[[items]]\nlable = "Overall"'),
            "items[4].lable",
            "is not a known setting",
        ),
        (("rci = 5", "rci = 50"), "scoring.rci", "between 0 and 40"),
        (("copyright = ", "copyleft = "), "copyleft", "is not a known setting"),
        (('header = ["client"', 'header = ["cliente"'), "header", "'cliente' is not one of"),
        (("normal = [104, 33]", "normal = [104]"), "lines.normal", "[first line, distance"),
        (("large = [122, 28]", "large = [12, 28]"), "lines.large", "first must be between"),
        (("large = [122, 28]", "larger = [122, 28]"), "lines.larger", "is not a known"),
    ],
)
def test_a_malformed_file_names_the_file_key_and_reason(tmp_path, change, key, reason) -> None:
    path = write_instrument(tmp_path, "bad.toml", ORS_TEXT.replace(*change, 1))
    with pytest.raises(InputProblem) as raised:
        load_instrument(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"key {key}" in message
    assert reason in message


def test_three_items_are_rejected(tmp_path: Path) -> None:
    text = ORS_TEXT.replace(
        '[[items]]\nlabel = "Overall"\ndescription = "(General sense of well-being)"\n', ""
    )
    path = write_instrument(tmp_path, "three.toml", text)
    with pytest.raises(InputProblem, match="must list exactly 4 items, not 3"):
        load_instrument(path)


def test_a_file_that_is_not_toml_is_rejected_with_its_name(tmp_path: Path) -> None:
    write_instrument(tmp_path, "broken.toml", "id = \n")
    with pytest.raises(InputProblem, match=r"broken\.toml: is not valid TOML"):
        Catalog.load(tmp_path)


def test_a_missing_instrument_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputProblem, match="is not a folder"):
        Catalog.load(tmp_path / "nowhere")


def test_every_shipped_file_is_plain_toml() -> None:
    for path in BUILTIN_DIR.glob("*.toml"):
        with path.open("rb") as handle:
            assert tomllib.load(handle)["layout"] >= 1
