"""Recognise paperfit's own outputs among the files of an input folder.

Takes: a path. Returns: the kind of paperfit output it is (forms.outputs), or None for any other
file. Reads only a file's properties (PDF metadata, an Excel file's docProps/core.xml, a PNG's
text) or, for a CSV file, its first row; never raises, and reads a bounded amount whatever the
file.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from pathlib import Path

from paperfit.forms.outputs import DERIVED, MODEL_FORMAT, TRAJECTORIES, kind_in, kind_of_columns
from paperfit.scanner.tables import normalise_header

MAX_PROPERTIES = 64 * 1024  # docProps/core.xml of a real workbook is about 1 KB
MAX_HEADER = 64 * 1024  # the first row of a CSV file


def is_derived(path: Path) -> bool:
    """Whether PATH is one of paperfit's outputs that readers skip in a folder of inputs."""
    return output_kind(path) in DERIVED


def output_kind(path: Path) -> str | None:
    """The kind of paperfit output at PATH, or None when it is not one (or cannot be read)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return _pdf_kind(path)
        if suffix in (".xlsx", ".xlsm"):
            return _excel_kind(path)
        if suffix == ".csv":
            return _csv_kind(path)
        if suffix == ".png":
            return _png_kind(path)
        if suffix == ".json":
            return _json_kind(path)
    except Exception:  # not readable as what it claims: the reader proper says why
        return None
    return None


def _pdf_kind(path: Path) -> str | None:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are the reader's to report
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        return None
    keywords = (reader.metadata or {}).get("/Keywords")
    return kind_in(str(keywords)) if keywords else None


def _excel_kind(path: Path) -> str | None:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("docProps/core.xml")
        if info.file_size > MAX_PROPERTIES:
            return None
        return kind_in(archive.read(info).decode("utf-8", "replace"))


def _png_kind(path: Path) -> str | None:
    from PIL import Image

    with Image.open(path) as picture:  # the text chunks before the image data: not decoded
        return kind_in(str(picture.info.get("Keywords", "")))


def _json_kind(path: Path) -> str | None:
    with path.open("rb") as stream:
        head = stream.read(MAX_HEADER).decode("utf-8", "replace")
    return TRAJECTORIES if f'"format": "{MODEL_FORMAT}' in head else None


def _csv_kind(path: Path) -> str | None:
    with path.open("rb") as stream:
        head = stream.read(MAX_HEADER).decode("utf-8-sig", "replace")
    first = head.splitlines()[0] if head else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    row = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return kind_of_columns({normalise_header(cell) for cell in row})
