"""paperfit.toml: defaults, values, and mistakes named by key."""

from __future__ import annotations

from pathlib import Path

import pytest
from paperfit.forms.errors import InputProblem

from paperfit.settings import Settings, load_settings


def write_settings(folder: Path, text: str) -> Path:
    path = folder / "paperfit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings() == Settings()
    assert Settings().paper == "letter"
    assert Settings().language == "en"


def test_the_file_in_the_current_folder_is_used(tmp_path, monkeypatch) -> None:
    write_settings(tmp_path, 'practice_name = "Riverside"\npaper = "a4"\n')
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert (settings.practice_name, settings.paper) == ("Riverside", "a4")


def test_every_setting_is_read(tmp_path: Path) -> None:
    (tmp_path / "licensed").mkdir()
    path = write_settings(
        tmp_path,
        'practice_name = "Riverside Counselling"\npaper = "a4"\nlanguage = "fr"\n'
        'privacy = "Only your counsellor sees your answers."\ninstrument_dir = "licensed"\n',
    )
    settings = load_settings(path)
    assert settings.practice_name == "Riverside Counselling"
    assert settings.language == "fr"
    assert settings.privacy == "Only your counsellor sees your answers."
    assert settings.instrument_dir == tmp_path / "licensed"


def test_an_instrument_dir_that_is_not_a_folder_names_the_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "practice.toml"
    path.write_text('instrument_dir = "licensed-forms"\n', encoding="utf-8")
    with pytest.raises(InputProblem) as refused:
        load_settings(path)
    assert str(refused.value).startswith(f"{path} › key instrument_dir: 'licensed-forms' is not")
    assert "paperfit.toml" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('practise_name = "x"\n', "key practise_name: is not a known setting"),
        ('paper = "legal"\n', "key paper: must be one of letter, a4, not 'legal'"),
        ("language = 3\n", "key language: must be text, not 3"),
        ("paper = \n", "is not valid TOML"),
    ],
)
def test_mistakes_name_the_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write_settings(tmp_path, text)
    with pytest.raises(InputProblem) as raised:
        load_settings(path)
    assert str(raised.value).startswith(str(path))
    assert expected in str(raised.value)
