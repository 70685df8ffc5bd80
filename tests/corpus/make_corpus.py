"""Write the corpus of bad input files that tests/test_bad_inputs.py reads.

Each file is one thing practices really hand to `paperfit check`: a workbook cut off by a full
disk, a zip bomb, merged cells, blank rows, formulas, words in number cells, a PDF without
fields, a password-protected workbook, a Windows CSV, a column typed in millimetres.

Run from the project root:  .venv/bin/python tests/corpus/make_corpus.py [FOLDER]
(default FOLDER: the folder of this script). The output is byte-for-byte the same on every run:
workbook timestamps and zip entry times are fixed, and the "garbage" comes from a seeded
generator. tests/test_bad_inputs.py checks that the committed files match this script.
"""

from __future__ import annotations

import datetime
import io
import random
import re
import struct
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
from openpyxl.workbook import Workbook
from paperfit.forms.instrument import Catalog
from paperfit.generator.workbook import form_headers

HERE = Path(__file__).resolve().parent
ORS_HEADERS = form_headers(Catalog.load().get("ORS"))[:8]  # up to total
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FIXED_TIME = (2026, 1, 5, 9, 0, 0)
FIXED_STAMP = "2026-01-05T09:00:00Z"
DATE_FORMAT = "yyyy-mm-dd"
# The size the zip bomb's sheet claims to unpack to: 3 GB, far above scanner.tables' limit.
BOMB_DECLARED_SIZE = 3 * 2**30


def day(month: int, date: int) -> datetime.datetime:
    return datetime.datetime(2026, month, date)


# ---------------------------------------------------------------------------------------------
# Deterministic .xlsx bytes


def xlsx_bytes(workbook: Workbook, patch: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """WORKBOOK saved as .xlsx with fixed timestamps; PATCH(name, data) may edit any part."""
    raw = io.BytesIO()
    workbook.save(raw)
    return repack(raw.getvalue(), patch)


def repack(data: bytes, patch: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """Rewrite the zip DATA with fixed entry times and fixed document dates (openpyxl stamps the
    time of saving into docProps/core.xml and into every zip entry)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_STAMP.encode() + rb"\g<3>",
                    content,
                )
            if patch is not None:
                content = patch(entry.filename, content)
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def ors_workbook(rows: Sequence[Sequence[object]], title: str = "ORS") -> Workbook:
    """A workbook with one sheet TITLE: the ORS headers in row 1, then ROWS (None: empty)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    put_rows(sheet, [ORS_HEADERS, *rows])
    return workbook


def put_rows(sheet: object, rows: Sequence[Sequence[object] | None], first: int = 1) -> None:
    """Write ROWS from row FIRST down; None (or an all-None row) leaves the row empty."""
    for number, values in enumerate(rows, start=first):
        for column, value in enumerate(values or (), start=1):
            if value is None:
                continue
            cell = sheet.cell(number, column, value)
            if isinstance(value, datetime.datetime):
                cell.number_format = DATE_FORMAT


# ---------------------------------------------------------------------------------------------
# The files


def truncated() -> bytes:
    """A real entry workbook (paperfit's own, with two clients' forms) cut in half, as a copy
    interrupted by a full USB stick or a dropped network share leaves it."""
    from paperfit.forms.errors import Location
    from paperfit.forms.records import Client, Form
    from paperfit.forms.scoring import Thresholds
    from paperfit.generator.workbook import write_workbook

    from paperfit.settings import ScoringSettings

    catalog = Catalog.load()
    clients = [Client("C-101", "adult"), Client("C-102", "adolescent")]
    forms = [
        Form("C-101", "ORS", 1, day(1, 5).date(), (4.1, 5.0, 3.2, 4.4), Location("corpus")),
        Form("C-101", "ORS", 2, day(1, 12).date(), (5.0, 5.5, 4.0, 5.1), Location("corpus")),
        Form("C-102", "ORS", 1, day(1, 6).date(), (3.0, 2.2, 4.1, 3.3), Location("corpus")),
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "entry.xlsx"
        write_workbook(
            path,
            [catalog.get("ORS"), catalog.get("SRS")],
            Thresholds.resolve(catalog, ScoringSettings()),
            clients,
            forms,
        )
        whole = repack(path.read_bytes())
    return whole[: len(whole) // 2]


def zipbomb() -> bytes:
    """A tiny, otherwise valid workbook whose sheet declares 3 GB of unpacked data.

    Both the central directory (which zipfile lists) and the local header say 3 GB, as a
    crafted bomb would; the real content is a few hundred bytes.
    """
    data = bytearray(xlsx_bytes(ors_workbook([["C-101", 1, day(1, 5), 4, 5, 3, 4, 16]])))
    name = b"xl/worksheets/sheet1.xml"
    size = struct.pack("<I", BOMB_DECLARED_SIZE)
    central = -1
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == name:
            central = start
            break
        start += 4
    if central < 0:
        raise RuntimeError("sheet1.xml not found in the central directory")
    data[central + 24 : central + 28] = size  # uncompressed size
    local = struct.unpack_from("<I", data, central + 42)[0]
    data[local + 22 : local + 26] = size
    return bytes(data)


def wrong_sheet() -> bytes:
    """The practice's invoice list saved where the measurements should be: only "Sheet1", with
    columns that have nothing to do with forms."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    put_rows(
        sheet,
        [
            ("Name", "Phone", "Amount due"),
            ("A. Jones", "555-0101", 80),
            ("B. Smith", "555-0102", 120),
            ("C. Brown", "555-0103", 95.5),
        ],
    )
    return xlsx_bytes(workbook)


def merged_cells() -> bytes:
    """An ORS sheet where the client ID is typed once and merged down over that client's three
    sessions (A2:A4), a common habit; Excel keeps the value only in A2."""
    workbook = ors_workbook(
        [
            ("C-401", 1, day(2, 2), 3.1, 4.0, 3.5, 3.2, 13.8),
            (None, 2, day(2, 9), 4.2, 4.4, 4.0, 4.1, 16.7),
            (None, 3, day(2, 16), 5.0, 5.2, 4.9, 5.1, 20.2),
            ("C-402", 1, day(2, 3), 6.0, 6.1, 5.8, 6.2, 24.1),
        ]
    )
    sheet = workbook["ORS"]
    sheet.merge_cells("A2:A4")
    return xlsx_bytes(workbook)


def blank_rows() -> bytes:
    """Rows with blank rows above the header and between the data, and a row of spaces only:
    every message must give the row number Excel shows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ORS"
    put_rows(
        sheet,
        [
            None,  # 1: blank above the header
            ORS_HEADERS,  # 2
            ("C-101", 1, day(1, 5), 4.1, 5.0, 3.2, 4.4, 16.7),  # 3
            None,  # 4
            (" ", None, "  ", None, None, None, None, None),  # 5: spaces only, blank
            ("C-101", 2, day(1, 12), 5.2, "x", 4.0, 5.1, None),  # 6: E6 is not a number
            None,  # 7
            None,  # 8
            ("C-102", 1, day(1, 6), 3.0, 2.2, 4.1, 3.3, 20),  # 9: H9 does not add up (12.6)
            None,  # 10
            ("C-102", None, day(1, 13), 3.5, 3.0, 4.0, 3.6, 14.1),  # 11: no session
        ],
    )
    return xlsx_bytes(workbook)


FORMULA_CACHE = {
    # cell -> the value Excel would have saved with the formula
    "D2": "6.4",
    "E2": "5",
    "H2": "19.4",
}


def formulas() -> bytes:
    """Items computed by formulas. Row 2's formulas carry the value Excel saves with them (as
    a workbook saved by Excel or LibreOffice does); rows 3 to 5 were written by a script with
    openpyxl, which saves formulas without values, so a reader sees empty cells there."""
    workbook = ors_workbook(
        [
            ("C-301", 1, day(3, 2), "=3+3.4", "=2*2.5", 4.1, 3.9, "=SUM(D2:G2)"),
            ("C-301", 2, day(3, 9), "=3+3.4", 5.5, "=1+2", 6.0, "=SUM(D3:G3)"),
            ("C-302", 1, day(3, 3), "=1+1", "=2+2", "=3+3", "=4+4", "=SUM(D4:G4)"),
            ('="C-"&303', 1, day(3, 4), 5.0, 5.0, 5.0, 5.0, 20),
        ]
    )

    def cache(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        for cell, value in FORMULA_CACHE.items():
            pattern = rb'(<c r="' + cell.encode() + rb'"[^>]*><f>[^<]*</f>)<v\s*/>'
            data, count = re.subn(pattern, rb"\g<1><v>" + value.encode() + b"</v>", data)
            if count != 1:
                raise RuntimeError(f"formula cell {cell} not found in the sheet")
        return data

    return xlsx_bytes(workbook, cache)


def text_in_numbers() -> bytes:
    """Item cells typed as text: units, decimal commas, words, a space, "n/a"; and a date typed
    as 20260302 into a date-formatted cell (Excel shows #####)."""
    workbook = ors_workbook(
        [
            ("C-201", 1, day(3, 2), "6.4 cm", "6,4", "six", 5.0, None),  # 2
            ("C-201", 2, day(3, 9), " ", "n/a", 7.0, 7.5, None),  # 3
            ("C-202", 1, 20260302, "64 mm", "7.5", "5,0", "4.0cm", None),  # 4
        ]
    )
    workbook["ORS"]["C4"].number_format = DATE_FORMAT
    return xlsx_bytes(workbook)


def no_fields_pdf() -> bytes:
    """A blank ORS sheet as `paperfit forms` prints it (no --fillable): a paperfit PDF, but one
    without form fields, which someone scanned or saved and hands to `check`."""
    from paperfit.generator.sheets import Packet, PrintOptions, write_forms

    catalog = Catalog.load()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.pdf"
        write_forms(path, [Packet((catalog.get("ORS"),))], PrintOptions(explain="none"))
        return path.read_bytes()


def not_a_pdf() -> bytes:
    """A text file given a .pdf name."""
    return (
        b"Session notes, week 3\r\n"
        b"C-101 came in early; forms are in the blue folder.\r\n"
        b"(This is a text file that was renamed to .pdf.)\r\n"
    )


def ole_file(marker: str, seed: int) -> bytes:
    """The 8-byte OLE magic, then seeded garbage holding MARKER in UTF-16 (stream names are
    stored that way in an OLE directory)."""
    rng = random.Random(seed)
    return OLE_MAGIC + rng.randbytes(1500) + marker.encode("utf-16-le") + rng.randbytes(1500)


def semicolon_cp1252() -> bytes:
    """A CSV as Excel saves it in a French or German Windows: Windows-1252, semicolons,
    decimal commas, and names with accents and curly quotes."""
    lines = [
        "client_id;session;date;instrument;Individually;Interpersonally;Socially;Overall;total;notes",
        "C-501;1;2026-03-02;ORS;6,4;5,1;7,0;6,2;24,7;Zoë, mother present",
        "C-501;2;2026-03-09;ORS;7,1;6,0;7,2;6,8;27,1;Zoë’s school – calmer",
        "C-501;1;2026-03-02;SRS;9,1;9,3;9,0;8,8;36,2;",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def mm_column() -> bytes:
    """One item column measured in millimetres (64, 72, 55), the other items in centimetres."""
    lines = [
        "client_id,session,date,instrument,Individually,Interpersonally,Socially,Overall",
        "C-601,1,2026-04-01,ORS,64,5.2,4.8,6.0",
        "C-601,2,2026-04-08,ORS,72,6.1,5.5,6.3",
        "C-602,1,2026-04-02,ORS,55,3.0,4.1,4.4",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


FILES: dict[str, Callable[[], bytes]] = {
    "truncated.xlsx": truncated,
    "zipbomb.xlsx": zipbomb,
    "wrong_sheet.xlsx": wrong_sheet,
    "merged_cells.xlsx": merged_cells,
    "blank_rows.xlsx": blank_rows,
    "formulas.xlsx": formulas,
    "text_in_numbers.xlsx": text_in_numbers,
    "no_fields.pdf": no_fields_pdf,
    "not_a_pdf.pdf": not_a_pdf,
    "encrypted.xlsx": lambda: ole_file("EncryptedPackage", 1),
    "renamed_xls.xlsx": lambda: ole_file("Workbook", 2),
    "semicolon_cp1252.csv": semicolon_cp1252,
    "mm_column.csv": mm_column,
}


def build(out: Path = HERE) -> list[Path]:
    """Write every corpus file into OUT; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FILES.items():
        path = out / name
        path.write_bytes(make())
        written.append(path)
    return written


if __name__ == "__main__":
    for written in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"{written}  {written.stat().st_size:,} bytes")
