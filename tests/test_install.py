"""paperfit installs as one package, `paperfit`: a wheel built from the repository holds nothing
else at its top, ships its TOML and template files, and works beside packages whose names are
those of paperfit's folders (`templates`, `forms`, `generator`, `scanner` exist on the index)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FOLDER_NAMES = ("forms", "generator", "scanner", "store", "templates")


SOURCES = ("pyproject.toml", "README.md", "paperfit", *FOLDER_NAMES)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the repository's sources (a build writes its build/
    folder beside the sources, and tests never write into the repository)."""
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, build / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, build / name)
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--wheel-dir", str(out), str(build)),
        ],
        check=True,
        cwd=build,
        capture_output=True,
    )
    (found,) = out.glob("paperfit-*.whl")
    return found


def impostors(folder: Path) -> Path:
    """A folder holding packages named like paperfit's folders, each of which fails on import."""
    for name in FOLDER_NAMES:
        (folder / name).mkdir(parents=True)
        (folder / name / "__init__.py").write_text(f"raise ImportError('the other {name}')\n")
    return folder


def test_the_wheel_holds_only_paperfit(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    version = wheel.name.split("-")[1]
    assert {name.split("/")[0] for name in names} == {"paperfit", f"paperfit-{version}.dist-info"}
    for shipped in (
        "paperfit/forms/ors.toml",
        "paperfit/templates/_form.html",
        "paperfit/templates/print.css",
        "paperfit/templates/text/fr.toml",
        "paperfit/store/migrations/env.py",
        "paperfit/store/migrations/versions/0001_record.py",
    ):
        assert shipped in names


def test_the_installed_wheel_prints_beside_packages_of_the_same_names(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"),
            *("--target", str(site), str(wheel)),
        ],
        check=True,
        capture_output=True,
    )
    others = impostors(tmp_path / "others")
    out = tmp_path / "forms.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "paperfit", "forms", "ORS", "--lang", "fr", "-o", str(out)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{others}"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    where = subprocess.run(
        [sys.executable, "-c", "import paperfit.forms, paperfit.templates as t; print(t.__file__)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{others}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site))
    # the practice's record is made by the migrations shipped in the wheel
    forms = tmp_path / "ors.csv"
    forms.write_text("client_id,session,date,item1,item2,item3,item4\nC-1,1,2026-03-02,1,2,3,4\n")
    imported = subprocess.run(
        [sys.executable, "-m", "paperfit", "import", str(forms), "--db", "record.db"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{others}"},
        capture_output=True,
        text=True,
    )
    assert "1 new form, 0 changed, 0 unchanged" in imported.stdout, imported.stderr
