"""The practice's record, joined to the readers: import files into it, fill a short schedule
from it, and read it the way the commands read files.

Takes: paths, the catalog, reading options and an open Store. Returns: what each import did, or
forms.records values. The readers (scanner/) and the store (store/) never meet but here.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from paperfit.forms.errors import InputProblem, Location, ScheduleProblems
from paperfit.forms.instrument import Catalog
from paperfit.forms.precedence import rank_of
from paperfit.forms.records import Appointment, Problem, Reading
from paperfit.scanner.deidentified import is_deidentified
from paperfit.scanner.measurements import ReadOptions, expand, read_inputs
from paperfit.scanner.schedule import SHORT, read_schedule
from paperfit.store import ImportResult, Store, StoreError


@dataclass
class FileImport:
    """One file's import: the problems found reading it, and what the record gained."""

    path: Path
    problems: list[Problem]
    result: ImportResult

    def lines(self) -> list[str]:
        return [f"{self.path}: {line}" for line in self.result.summary()]


def who() -> str:
    """The person at this computer, for a version's "by" when --by is not given."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_in(inputs: Sequence[Path]) -> Reading:
    """The files INPUTS name, as every reading command takes them: files, and what folders
    hold that the readers read, paperfit's own outputs set aside (Reading.skipped_outputs);
    Reading.problems names what cannot be read. Nothing is read yet."""
    found = Reading()
    found.files = [str(path) for path in expand(inputs, found)]
    return found


def import_files(
    store: Store, paths: list[Path], catalog: Catalog, options: ReadOptions, by: str
) -> Iterator[FileImport]:
    """Import each file of PATHS in turn: a file already imported (same contents) adds
    nothing and is not read again; a de-identified export is refused (it is for pooling)."""
    for path in paths:
        if is_deidentified(path):
            raise StoreError(
                f"{path} is a de-identified export: it belongs to pooling only (paperfit "
                "trajectories), not to the practice's record. Nothing was imported from it."
            )
    for path in paths:
        sha = sha256_of(path)
        known = store.imported(sha)
        if known is not None:
            yield FileImport(path, [], ImportResult(unchanged=known))
            continue
        reading = read_inputs([path], catalog, replace(options, copies=True))
        if not reading.forms and not reading.clients:  # nothing to keep: not marked imported
            yield FileImport(path, reading.problems, ImportResult())
            continue
        result = store.import_forms(
            reading.forms,
            reading.clients,
            source_path=str(path.resolve()),  # one copy per file, wherever it is run from
            sha256=sha,
            rank_of=rank_of,
            by=by,
        )
        yield FileImport(path, reading.problems, result)


def import_schedule(
    store: Store,
    path: Path,
    catalog: Catalog,
    by: str,
    name: str | None = None,
    warnings: list[InputProblem] | None = None,
) -> ImportResult:
    """Keep the appointments of a schedule (client_id and date at least) in the record, its
    source named NAME (default: the file's full path; an upload's own name, not where it was
    saved for reading); WARNINGS gets the cells the ID rule changed."""
    appointments = read_schedule(path, catalog, SHORT, warnings)
    return store.import_forms(
        [],
        {},
        source_path=name or str(path.resolve()),
        sha256=sha256_of(path),
        rank_of=rank_of,
        by=by,
        appointments=appointments,
    )


def complete_schedule(
    appointments: list[Appointment], store: Store, path: Path
) -> list[Appointment]:
    """APPOINTMENTS with what the schedule left out taken from the record: the clinician, the
    age group and the next session number; ScheduleProblems naming each client the record
    does not know."""
    problems, done = [], []
    for appointment in appointments:
        client = store.client(appointment.client_id)
        if client is None and not (appointment.age_group and appointment.session):
            problems.append(
                InputProblem(
                    Location(str(path), row=appointment.row, column="client_id"),
                    f"client {appointment.client_id} is not in the practice's record: import "
                    "the client list (paperfit import), or give session, clinician, age_group "
                    "and format columns.",
                )
            )
            continue
        done.append(
            replace(
                appointment,
                session=appointment.session or store.next_session(appointment.client_id),
                clinician=appointment.clinician or (client.clinician if client else ""),
                age_group=appointment.age_group or (client.age_group if client else "adult"),
                format=appointment.format or "individual",
                name=appointment.name or (client.name if client else ""),
            )
        )
    if problems:
        raise ScheduleProblems(problems)
    return done


def record_reading(store: Store, client_ids: tuple[str, ...] = ()) -> Reading:
    """What the commands read when given no files: the record's current forms (only
    CLIENT_IDS' when given); PaperfitError when it holds none."""
    reading = store.reading(list(client_ids) or None)
    if not reading.forms:
        raise StoreError(
            "The practice's record holds no forms"
            + (f" of client {', '.join(client_ids)}" if client_ids else "")
            + ": import files into it (paperfit import FILE...), or give INPUT files."
        )
    return reading
