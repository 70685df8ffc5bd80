"""Shared fixtures: small factories for settings files, instrument files and PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from forms.instrument import Catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


def pdf_text(path: Path) -> list[str]:
    """The text of each page of the PDF at PATH, whitespace collapsed."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)
