"""The mark paperfit puts in the files it writes, so that its own outputs are told from data.

Takes and returns plain text: the writers (generator/) put `mark(kind)` into a file's keywords
(PDF metadata, an Excel file's properties); the readers (scanner/) find it with `kind_in`. A CSV
file has no properties, so its kind is known by the columns only paperfit's CSV files have.

Kinds fall in two groups: files that hold the practice's data (an entry workbook, a scan's
workbook staff may have corrected, fillable forms that may have been typed into), never replaced
without --replace; and files paperfit makes again whenever asked (exports, reports, proofs,
graphs), which readers skip when they find them in a folder of inputs.
"""

from __future__ import annotations

import re

MARK = "paperfit-output"

ENTRY = "entry"
SCAN_WORKBOOK = "scan-workbook"
FILLABLE = "fillable-forms"
FORMS = "forms"
HANDOUT = "handout"
EXPORT = "export"
REPORT = "report"
PROOF = "proof"
GRAPH = "graph"
BUNDLE = "caseload"
INDEX = "index"
SCAN_CSV = "scan-csv"
TRAJECTORIES = "trajectories"  # model.json, expected.csv, trajectories.pdf
DEIDENTIFIED = "deidentified"  # export --deidentify

# The practice's data: replacing one needs --replace.
DATA = frozenset({ENTRY, SCAN_WORKBOOK, FILLABLE})
# Made again on request; a reader that finds one in a folder of inputs skips it (a scan's
# CSV too: it would disagree with its workbook once staff correct that).
DERIVED = frozenset(
    {EXPORT, REPORT, PROOF, GRAPH, BUNDLE, INDEX, SCAN_CSV, TRAJECTORIES, DEIDENTIFIED}
)

# Columns found together only in paperfit's own CSV files (their first row).
CSV_SIGNATURES = {
    EXPORT: frozenset({"change_from_intake", "classification", "flags", "source"}),
    SCAN_CSV: frozenset({"page_status", "registration_mm", "line_lengths_mm"}),
    INDEX: frozenset({"file", "client_id", "pages"}),
    TRAJECTORIES: frozenset({"age_group", "intake", "session", "p10", "p25", "p50", "p75"}),
    DEIDENTIFIED: frozenset({"client_code", "week", "total"}),
}
# The first words of a model.json's format, which only paperfit trajectories writes.
MODEL_FORMAT = "paperfit expected courses"

_FOUND = re.compile(re.escape(MARK) + r":([a-z-]+)")


def mark(kind: str) -> str:
    """The keyword that marks a file of KIND."""
    return f"{MARK}:{kind}"


def kind_in(text: str) -> str | None:
    """The kind marked in TEXT (a file's keywords or properties), or None."""
    found = _FOUND.search(text)
    return found.group(1) if found else None


def kind_of_columns(columns: set[str]) -> str | None:
    """The kind of a CSV file whose first row holds COLUMNS, when only paperfit writes it."""
    return next((kind for kind, need in CSV_SIGNATURES.items() if need <= columns), None)
