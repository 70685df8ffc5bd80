"""Jinja2 HTML/CSS for every printed page, and the text of each language."""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent
TEXT_DIR = TEMPLATE_DIR / "text"
