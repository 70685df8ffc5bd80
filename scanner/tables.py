"""Read rows from spreadsheets and CSV files that people made by hand.

Takes: a .csv, .xlsx or .xlsm file, the caller's header aliases and its required columns.
Returns: Row objects keyed by canonical column names; each can say where a value came from
(file › sheet › row › column) so messages point at the exact cell, and whether it has values
under no heading (Row.overflow: decimal commas in a comma-separated file, most often).
Any file that cannot be read raises InputProblem with a sentence saying how to fix it.
Files are only ever opened for reading.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from paperfit.forms.errors import InputProblem, Location, escaped

# A real schedule or measurement workbook is far below these; anything above is a mistake or a
# zip bomb, refused before openpyxl unpacks it.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_048_576  # Excel's own row limit
MAX_COLUMNS = 16_384  # Excel's own column limit (XFD)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls files and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

SAVE_XLSX = "Open it in Excel and save it again as Excel Workbook (.xlsx)."
SAVE_CSV = "Open it in Excel and save it again as CSV UTF-8 (.csv)."

# A multi-byte UTF-8 character (RFC 3629): found next to bytes that are not UTF-8, it shows a
# file of two encodings rather than one written in Windows-1252.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Row:
    """One non-blank data row, with the place each value came from.

    cells maps canonical column keys (and unknown columns' normalised headers) to the raw value:
    str, int, float, bool, datetime/date/time, or None for an empty cell.
    columns maps the same keys to the column as the user sees it, e.g. 'C "Client ID"'.
    Rows of one file share one columns dict.
    """

    file: str
    sheet: str | None
    number: int
    cells: dict[str, object]
    columns: dict[str, str]
    # the header as typed, normalised (key -> header), shared like columns
    headers: dict[str, str] = field(default_factory=dict)
    # columns (as letters) of values with no heading above them: read, they would be lost
    extra: tuple[str, ...] = ()
    separator: str | None = None  # a CSV file's column separator

    def get(self, key: str) -> object:
        """The raw value under KEY, None when the cell is empty or the column is absent."""
        return self.cells.get(key)

    def where(self, key: str) -> Location:
        """The cell under KEY: file › sheet › row › column, for messages."""
        return Location(self.file, self.sheet, self.number, self.columns.get(key, key))

    def overflow(self) -> InputProblem | None:
        """The problem with a row that has values where its header has no column, if any."""
        if not self.extra:
            return None
        where = Location(self.file, self.sheet, self.number, self.extra[0])
        cells = f"{len(self.extra)} value{'s' if len(self.extra) > 1 else ''}"
        columns = ", ".join(self.extra[:5]) + (", …" if len(self.extra) > 5 else "")
        if self.separator == ",":
            cause = (
                "In a comma-separated file this usually means numbers typed with decimal "
                "commas (6,4 splits into 6 and 4): type decimal points, or separate the columns "
                "with semicolons."
            )
        else:
            cause = "Give the column a heading, or move the values into the table."
        return InputProblem(
            where,
            f"this row has {cells} in columns with no heading ({columns}). {cause} "
            "This row was left out.",
        )


def normalise_header(text: object) -> str:
    """Lower-case a header and join its words with '_', so 'Client ID ' and 'client-id' match."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\W_]+", "_", folded).strip("_")


def read_rows(
    path: Path,
    aliases: Mapping[str, str],
    required: Iterable[str],
    sheet: str | None = None,
) -> list[Row]:
    """Read the data rows of PATH (.csv, .xlsx or .xlsm) below its header row.

    The first non-blank row is the header. Headers are normalised and then looked up in ALIASES
    (keys may be written either way) to get canonical keys; REQUIRED lists canonical keys that
    must be present. Blank rows are skipped but still counted, so row numbers match Excel.
    SHEET picks a worksheet by name (default: the first visible one); CSV files ignore it.
    """
    return _read_table(path, [(aliases, required)], sheet)[1]


def _read_table(
    path: Path, choices: Sequence[Columns], sheet: str | None = None
) -> tuple[int, list[Row]]:
    """read_rows with CHOICES of columns (see _build_rows): which one matched, and the rows."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputProblem(Location(file), f"is an old-style Excel file (.xls). {SAVE_XLSX}")
    if suffix != ".csv" and suffix not in EXCEL_SUFFIXES:
        raise InputProblem(
            Location(file),
            "is not a .csv, .xlsx or .xlsm file. "
            "Save it from Excel as Excel Workbook (.xlsx) or CSV UTF-8 (.csv).",
        )
    head = _head(path)
    fix = SAVE_CSV if suffix == ".csv" else SAVE_XLSX
    if not head:
        raise InputProblem(Location(file), f"is empty (0 bytes). {fix}")
    if suffix == ".csv":
        return _read_csv(path, head, choices)
    return _read_excel(path, head, choices, sheet)


def _head(path: Path) -> bytes:
    """The first bytes of PATH, which tell a zip, an OLE file and text apart."""
    try:
        with path.open("rb") as handle:
            return handle.read(8)
    except OSError as error:
        raise InputProblem(Location(str(path)), f"cannot be read ({error.strerror}).") from None


def _build_rows(
    file: str,
    sheet: str | None,
    records: Iterable[tuple[int, Sequence[object]]],
    choices: Sequence[Columns],
    separator: str | None = None,
) -> tuple[int, list[Row]]:
    """Find the header among RECORDS (row number, values), then turn the rest into Rows.

    CHOICES are the aliases and required columns of each kind of table the caller reads, tried
    in order; the number returned says which one the header matched."""
    header: dict[int, tuple[str, str, str]] | None = None
    headed: set[int] = set()
    chosen = 0
    columns: dict[str, str] = {}
    headers: dict[str, str] = {}
    rows: list[Row] = []
    for number, values in records:
        if number > MAX_ROWS:
            raise InputProblem(
                Location(file, sheet), f"has more than {MAX_ROWS} rows, more than Excel allows."
            )
        cleaned = _within_columns(file, sheet, number, values)
        if all(value is None for value in cleaned):
            continue
        if header is None:
            chosen, header = _choose_header(file, sheet, number, cleaned, choices)
            columns = {key: label for key, label, _name in header.values()}
            headers = {key: name for key, _label, name in header.values()}
            headed = {index for index, value in enumerate(cleaned) if normalise_header(value)}
            continue
        cells = {
            key: cleaned[index] if index < len(cleaned) else None
            for index, (key, _label, _name) in header.items()
        }
        extra = tuple(
            get_column_letter(index + 1)
            for index, value in enumerate(cleaned)
            if value is not None and index not in headed
        )
        rows.append(Row(file, sheet, number, cells, columns, headers, extra, separator))
    if header is None:
        raise InputProblem(
            Location(file, sheet), "is blank: it has no header row and no data rows."
        )
    return chosen, rows


def _within_columns(
    file: str, sheet: str | None, number: int, values: Sequence[object]
) -> list[object]:
    """VALUES with blanks as None, refusing a row with a value beyond Excel's last column."""
    cleaned = [_blank_to_none(value) for value in values]
    if len(cleaned) > MAX_COLUMNS:
        if any(value is not None for value in cleaned[MAX_COLUMNS:]):
            raise InputProblem(
                Location(file, sheet, number),
                f"has values beyond column {MAX_COLUMNS:,} ({get_column_letter(MAX_COLUMNS)}), "
                "more columns than Excel allows: this is not a table paperfit can read. Copy "
                "the table into a new file.",
            )
        del cleaned[MAX_COLUMNS:]
    return cleaned


def _choose_header(
    file: str, sheet: str | None, number: int, values: Sequence[object], choices: Sequence[Columns]
) -> tuple[int, dict[int, tuple[str, str, str]]]:
    """The first of CHOICES whose required columns the header row VALUES has, and its header;
    when none fits, the first choice's problem is raised."""
    first: InputProblem | None = None
    for index, (aliases, required) in enumerate(choices):
        try:
            return index, _header(file, sheet, number, values, aliases, list(required))
        except InputProblem as problem:
            first = first or problem
    assert first is not None
    raise first


def _header(
    file: str,
    sheet: str | None,
    number: int,
    values: Sequence[object],
    aliases: Mapping[str, str],
    required: Sequence[str],
) -> dict[int, tuple[str, str, str]]:
    """Map column index -> (key, label, normalised header) for the header row, checking
    duplicates and gaps.

    When two headers give the same key and exactly one of them is the key itself (say "Age group"
    and "Age" both meaning age_group), that one wins and the other is kept under its own name.
    """
    where = Location(file, sheet, number)
    known = {normalise_header(key): key for key in [*aliases.values(), *required]}
    known.update({normalise_header(name): key for name, key in aliases.items()})
    candidates: dict[str, list[tuple[int, str, str]]] = {}
    for index, value in enumerate(values):
        text = " ".join(str(value).split()) if value is not None else ""
        name = normalise_header(text)
        if not name:
            continue
        label = f'{get_column_letter(index + 1)} "{escaped(text)}"'
        candidates.setdefault(known.get(name, name), []).append((index, name, label))
    header: dict[int, tuple[str, str, str]] = {}
    spare: list[tuple[int, str, str]] = []
    for key, found in candidates.items():
        if len(found) > 1 and key in known.values():
            exact = [entry for entry in found if entry[1] == normalise_header(key)]
            if len(exact) != 1:
                first, second = found[0][2], found[1][2]
                raise InputProblem(
                    where,
                    f"columns {first} and {second} both mean {key}. "
                    "Keep one of them and rename or delete the other.",
                )
            spare.extend(entry for entry in found if entry is not exact[0])
            found = exact
        index, name, label = found[0]
        header[index] = (key, label, name)
    taken = {key for key, _label, _name in header.values()}
    for index, name, label in spare:
        if name not in taken:
            header[index] = (name, label, name)
            taken.add(name)
    missing = [key for key in required if key not in taken]
    if missing:
        found_labels = (
            ", ".join(label for _i, (_k, label, _n) in sorted(header.items())) or "nothing"
        )
        raise InputProblem(
            where,
            f"has no column for {', '.join(missing)}. The first non-blank row is read as the "
            f"header, and it has: {found_labels}. Add the missing columns or rename the headers.",
        )
    return dict(sorted(header.items()))


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


# CSV


def _read_csv(path: Path, head: bytes, choices: Sequence[Columns]) -> tuple[int, list[Row]]:
    """Decode and split a CSV file, refusing anything that is not plain text."""
    file = Location(str(path))
    if head.startswith(ZIP_MAGIC):
        raise InputProblem(
            file, "is an Excel workbook with a .csv name. Rename it to end in .xlsx instead."
        )
    if head.startswith(OLE_MAGIC):
        raise InputProblem(file, f"is an Excel .xls workbook, not a CSV file. {SAVE_CSV}")
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise InputProblem(
                file, f"is larger than {MAX_CSV_BYTES // 2**20} MB, too large for a CSV table."
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputProblem(file, f"cannot be read ({error.strerror}).") from None
    text = _decode(data, file)
    if _CONTROL.search(text):
        raise InputProblem(
            file, f"contains binary data (control characters), so it is not a CSV file. {SAVE_CSV}"
        )
    separator = _delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        raise InputProblem(file, f"is not a well-formed CSV file ({error}). {SAVE_CSV}") from None
    return _build_rows(str(path), None, enumerate(records, 1), choices, separator)


def _decode(data: bytes, file: Location) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252 as older Excel saves: one
    encoding for the whole file. A file that is UTF-8 in places and not in others (rows pasted
    from two sources) is refused at its first line that is not UTF-8, never guessed at."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decoded(data, "utf-8-sig", file)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decoded(data, "utf-16", file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data):
            line = data.count(b"\n", 0, error.start) + 1
            raise InputProblem(
                Location(file.file, row=line),
                "is not UTF-8 here, though other lines are: the file mixes two encodings "
                "(rows pasted from different programs), so letters such as é or ö cannot be "
                f"read for sure. {SAVE_CSV}",
            ) from None
    return _decoded(data, "cp1252", file)


def _decoded(data: bytes, encoding: str, file: Location) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputProblem(
            Location(file.file, row=line),
            f"is not text in an encoding paperfit can read (UTF-8, UTF-16 or Windows-1252). "
            f"{SAVE_CSV}",
        ) from None


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel in many European locales) or tab, judged by the header line."""
    for line in text.splitlines():
        if line.strip(" \t,;\"'"):
            counts = {sep: line.count(sep) for sep in (",", ";", "\t")}
            best = max(counts, key=lambda sep: counts[sep])
            return best if counts[best] > counts[","] else ","
    return ","


# Excel


def _read_excel(
    path: Path, head: bytes, choices: Sequence[Columns], sheet: str | None
) -> tuple[int, list[Row]]:
    with _open_workbook(path, head) as workbook:
        worksheet = _pick_sheet(workbook, str(path), sheet)
        return _sheet_rows(worksheet, str(path), choices)


@dataclass(frozen=True)
class Sheet:
    """One worksheet as read_sheets saw it: its rows, or why they could not be read."""

    name: str
    hidden: bool
    rows: list[Row] | None = None
    problem: InputProblem | None = None
    kind: int = 0  # which of the choices of columns the sheet's header matched


Columns = tuple[Mapping[str, str], Iterable[str]]  # aliases and required columns of a sheet


def read_sheets(
    path: Path, columns_for: Callable[[str, bool], Sequence[Columns] | None]
) -> list[Sheet]:
    """Read every worksheet of PATH in one pass over the file (a CSV file is one sheet named "").

    COLUMNS_FOR(name, hidden) gives the choices of aliases and required columns to read a sheet
    with (the first its header fits is used; Sheet.kind says which), or None to leave it unread.
    A file that cannot be opened raises InputProblem; a sheet that cannot be read carries its
    problem and the others are still read.
    """
    if path.suffix.lower() == ".csv":
        wanted = columns_for("", False)
        if wanted is None:
            return [Sheet("", False)]
        try:
            kind, rows = _read_table(path, wanted)
        except InputProblem as problem:
            return [Sheet("", False, problem=problem)]
        return [Sheet("", False, rows, kind=kind)]
    head = _head(path)
    if not head:
        raise InputProblem(Location(str(path)), f"is empty (0 bytes). {SAVE_XLSX}")
    sheets = []
    with _open_workbook(path, head) as workbook:
        for worksheet in workbook.worksheets:
            hidden = worksheet.sheet_state != "visible"
            wanted = columns_for(worksheet.title, hidden)
            if wanted is None:
                sheets.append(Sheet(worksheet.title, hidden))
                continue
            try:
                kind, rows = _sheet_rows(worksheet, str(path), wanted)
            except InputProblem as problem:
                sheets.append(Sheet(worksheet.title, hidden, problem=problem))
            else:
                sheets.append(Sheet(worksheet.title, hidden, rows, kind=kind))
    return sheets


def _sheet_rows(worksheet: Any, file: str, choices: Sequence[Columns]) -> tuple[int, list[Row]]:
    worksheet.reset_dimensions()  # hand-edited files often declare the wrong size
    records = _guarded(worksheet.iter_rows(values_only=True), file)
    return _build_rows(file, worksheet.title, enumerate(records, 1), choices)


@contextmanager
def _open_workbook(path: Path, head: bytes) -> Iterator[Any]:
    """Open an Excel file read-only for its values, or raise InputProblem saying why not."""
    file = str(path)
    if head.startswith(OLE_MAGIC):
        raise InputProblem(Location(file), _ole_reason(path))
    _check_zip(path)
    # openpyxl warns about features it drops (data validation, styles); the reader only needs
    # values, so the warnings would only alarm the person running the command.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(
                path, read_only=True, data_only=True, keep_links=False
            )
        except Exception as error:  # openpyxl's failures on damaged files are not a closed set
            raise _damaged(file) from error
        try:
            yield workbook
        finally:
            workbook.close()


def _ole_reason(path: Path) -> str:
    """An OLE file with an .xlsx name is either password-protected or really an .xls file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CSV_BYTES)
    except OSError as error:
        return f"cannot be read ({error.strerror})."
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (
            "is password-protected. Open it in Excel, remove the password "
            "(File › Info › Protect Workbook), and save it again as Excel Workbook (.xlsx)."
        )
    return f"is an old-style Excel file (.xls) with a new name. {SAVE_XLSX}"


def _check_zip(path: Path) -> None:
    """Refuse files that are not zips, or that would unpack to more than MAX_UNCOMPRESSED.

    Python's zipfile never returns more than an entry's declared size, so the declared sizes
    bound what openpyxl can unpack.
    """
    file = Location(str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except Exception as error:  # zipfile raises several kinds on garbage, OSError among them
        raise _damaged(str(path)) from error
    total = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ZIP_ENTRIES:
        over = f"has {len(entries):,} parts inside, more than the {MAX_ZIP_ENTRIES:,}"
    elif total > MAX_UNCOMPRESSED:
        over = f"would unpack to {total // 2**20} MB, more than the {MAX_UNCOMPRESSED // 2**20} MB"
    else:
        return
    raise InputProblem(
        file,
        f"{over} paperfit reads safely; it is damaged or not a real workbook. Copy the rows "
        "into a new workbook and save that as .xlsx.",
    )


def _damaged(file: str) -> InputProblem:
    return InputProblem(
        Location(file), f"is damaged or is not really an Excel workbook. {SAVE_XLSX}"
    )


def _guarded(rows: Iterator[tuple[object, ...]], file: str) -> Iterator[tuple[object, ...]]:
    """Yield openpyxl's rows, turning its parse errors on damaged sheets into InputProblem."""
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:
            raise _damaged(file) from error
        yield values


def _pick_sheet(workbook: openpyxl.Workbook, file: str, wanted: str | None) -> Any:
    """The named worksheet (exact, else ignoring case and spaces), or the first visible one."""
    sheets = list(workbook.worksheets)
    if not sheets:
        raise InputProblem(Location(file), f"has no worksheets. {SAVE_XLSX}")
    if wanted is None:
        visible = [ws for ws in sheets if ws.sheet_state == "visible"]
        return (visible or sheets)[0]
    for ws in sheets:
        if ws.title == wanted:
            return ws
    for ws in sheets:
        if ws.title.strip().casefold() == wanted.strip().casefold():
            return ws
    names = ", ".join(f'"{ws.title}"' for ws in sheets)
    raise InputProblem(
        Location(file),
        f'has no sheet named "{wanted}"; its sheets are {names}. '
        "Rename the sheet or give one of these names.",
    )
