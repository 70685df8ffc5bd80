"""The practice's record (paperfit.store), on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime
import multiprocessing
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy
from alembic import command
from paperfit.forms.errors import Location
from paperfit.forms.precedence import Rank, rank_of
from paperfit.forms.records import Client, Form
from paperfit.store import StoreError, open_store
from paperfit.store.connect import alembic_config, make_engine, on_network_share
from paperfit.store.connect import store_url as resolve

pytest_plugins = ["tests.store_servers"]  # store_url: each test on SQLite and PostgreSQL

DAY = datetime.date(2026, 3, 2)


def make_form(client_id: str = "C-1", session: int = 1, **overrides: object) -> Form:
    values: dict[str, object] = {
        "client_id": client_id,
        "instrument": "ORS",
        "session": session,
        "date": DAY + datetime.timedelta(weeks=session - 1),
        "items": (4.0, 5.0, 6.0, 7.0),
        "source": Location("entry.xlsx", "ORS", session + 1),
    }
    values.update(overrides)
    return Form(**values)  # type: ignore[arg-type]


def import_file(store, forms, path="entry.xlsx", sha="a", clients=None, by="Ann"):  # type: ignore[no-untyped-def]
    return store.import_forms(
        forms, clients or {}, source_path=path, sha256=sha, rank_of=rank_of, by=by
    )


def test_importing_twice_adds_nothing_and_a_change_is_a_version(store_url: str, tmp_path: Path):
    said: list[str] = []
    store = open_store(store_url, tmp_path, said.append)
    assert said and "new practice record" in said[0]
    forms = [make_form(session=n) for n in (1, 2, 3)]
    first = import_file(store, forms, clients={"C-1": Client("C-1", "adolescent", "Dr Lee")})
    assert (first.new, first.unchanged, first.new_clients) == (3, 0, 1)
    again = import_file(store, forms)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)
    changed = import_file(
        store, [*forms[:2], replace(forms[2], items=(4.0, 5.0, 6.5, 7.0))], sha="b"
    )
    assert (changed.new, changed.changed, changed.unchanged) == (0, 1, 2)
    assert changed.changes == ["client C-1 ORS session 3: item 3 6 → 6.5"]
    reading = store.reading()
    assert [f.total for f in reading.forms] == [22.0, 22.0, 22.5]
    assert reading.clients["C-1"].age_group == "adolescent" and reading.client_list_given
    item3 = [v for v in store.history("C-1") if v.session == 3 and v.item == 3]
    assert [v.value for v in item3] == [6.0, 6.5]
    assert item3[1].replaces == item3[0].id and item3[0].source == "entry.xlsx › sheet ORS › row 4"
    store.close()


def test_a_typed_form_beats_its_scanned_copy_with_an_item_to_review(store_url: str, tmp_path: Path):
    store = open_store(store_url, tmp_path)
    import_file(store, [make_form()])
    scanned = make_form(
        items=(4.1, None, 6.0, 7.0),
        scan_statuses=("ok", "no mark", "ok", "ok"),
        source=Location("scan/measurements.xlsx", "ORS", 2),
    )
    result = import_file(store, [scanned], path="scan/measurements.xlsx", sha="s")
    assert (result.new, result.copies, result.conflicts) == (0, 1, [])
    (form,) = store.reading().forms
    assert form.items == (4.0, 5.0, 6.0, 7.0) and form.total == 22.0
    assert rank_of(scanned, 0) == Rank.SCANNED_OK and rank_of(scanned, 1) == Rank.SCANNED_REVIEW


def test_copies_of_equal_rank_that_disagree_stay_a_conflict(store_url: str, tmp_path: Path):
    store = open_store(store_url, tmp_path)
    import_file(store, [make_form()])
    other = make_form(items=(4.0, 5.0, 6.0, 8.0), source=Location("old.csv", None, 7))
    result = import_file(store, [other], path="old.csv", sha="o")
    (conflict,) = result.conflicts
    assert "item 4: 8 (old.csv › row 7, the most recent, is used) and 7 (entry.xlsx" in str(
        conflict
    )
    reading = store.reading()
    assert reading.forms[0].items[3] == 8.0
    (problem,) = reading.problems
    assert problem.severity == "warning" and "disagree on item 4" in problem.message
    assert store.conflicts("C-1") == [conflict]


def test_correct_withdraw_and_history_keep_who_when_and_why(store_url: str, tmp_path: Path):
    store = open_store(store_url, tmp_path)
    import_file(store, [make_form(session=1), make_form(session=2)], by="Ann")
    before = datetime.datetime.now(datetime.UTC)
    store.correct("C-1", "ORS", 1, 2, 5.5, by="Bo", reason="measured again")
    store.correct("C-1", "ORS", 1, 2, 5.4, by="Cy", reason="ruler slipped")
    store.withdraw("C-1", "ORS", 2, by="Bo", reason="another client's form")
    reading = store.reading()
    assert [(f.session, f.items) for f in reading.forms] == [(1, (4.0, 5.4, 6.0, 7.0))]
    item2 = [v for v in store.history("C-1", "ORS") if v.session == 1 and v.item == 2]
    assert [(v.value, v.by, v.why, v.rank) for v in item2] == [
        (5.0, "Ann", "imported from entry.xlsx", Rank.TYPED),
        (5.5, "Bo", "measured again", Rank.CORRECTION),
        (5.4, "Cy", "ruler slipped", Rank.CORRECTION),
    ]
    assert item2[2].replaces == item2[1].id and item2[1].when >= before
    (gone,) = [v for v in store.history("C-1") if v.field == "withdrawn"]
    assert (gone.session, gone.by, gone.why, gone.withdrawn) == (
        2,
        "Bo",
        "another client's form",
        True,
    )
    with pytest.raises(StoreError, match="was withdrawn"):
        store.correct("C-1", "ORS", 2, 1, 3.0, by="Bo", reason="x")
    with pytest.raises(StoreError, match="not in the record"):
        store.correct("C-1", "SRS", 1, 1, 3.0, by="Bo", reason="x")
    with pytest.raises(StoreError, match="say why"):
        store.correct("C-1", "ORS", 1, 1, 3.0, by="Bo", reason=" ")
    # an import of the same file again does not undo a correction
    import_file(store, [make_form(session=1), make_form(session=2)], sha="again")
    assert store.reading().forms[0].items[1] == 5.4


def test_appointments_and_next_session(store_url: str, tmp_path: Path):
    store = open_store(store_url, tmp_path)
    import_file(
        store,
        [make_form(session=1), make_form(session=2)],
        clients={"C-1": Client("C-1", "child", "Dr Lee", name="Sam")},
    )
    later = DAY + datetime.timedelta(weeks=2)
    store.add_appointment("C-2", later, None, by="desk")
    store.add_appointment("C-1", later, "09:30", by="desk")
    store.add_appointment("C-1", later, "09:30", by="desk")  # kept once
    found = store.appointments(later)
    assert [(a.client_id, a.session, a.clinician, a.age_group, a.time) for a in found] == [
        ("C-1", 3, "Dr Lee", "child", "09:30"),
        ("C-2", 1, "", "adult", ""),  # no time: after the timed ones, on every database
    ]
    store.add_appointment("C-1", DAY + datetime.timedelta(weeks=1), "10:00", by="desk")
    # a day whose form is in already keeps its session (2), not the next one (3)
    assert [a.session for a in store.appointments(DAY + datetime.timedelta(weeks=1))] == [2]
    assert store.next_session("C-1", "SRS") == 1
    assert [c.client_id for c in store.clients("sam")] == ["C-1"]
    assert store.client("C-9") is None


def _import_many(url: str, folder: str, start: int) -> None:
    store = open_store(url, Path(folder))
    for n in range(start, start + 6):
        forms = [make_form(f"C-{k}", session=n) for k in range(5)]
        import_file(store, forms, path=f"file-{n}.csv", sha=f"h{n}")
    store.close()


def test_two_imports_at_the_same_time_lose_nothing(store_url: str, tmp_path: Path):
    open_store(store_url, tmp_path).close()
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_import_many, args=(store_url, str(tmp_path), s)) for s in (1, 7)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    reading = open_store(store_url, tmp_path).reading()
    assert len(reading.forms) == 5 * 12 and len(reading.clients) == 5


def test_a_store_newer_than_the_program_is_refused(store_url: str, tmp_path: Path):
    store = open_store(store_url, tmp_path)
    import_file(store, [make_form()])
    with store.engine.begin() as conn:
        conn.execute(sqlalchemy.text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(StoreError, match="newer paperfit"):
        open_store(store_url, tmp_path)


def test_a_store_at_the_first_schema_is_migrated_with_its_data(store_url: str, tmp_path: Path):
    engine = make_engine(resolve(store_url, tmp_path))
    with engine.connect() as conn, conn.begin():
        command.upgrade(alembic_config(conn), "0001")
    engine.dispose()
    said: list[str] = []
    store = open_store(store_url, tmp_path, said.append)
    import_file(store, [make_form()])
    assert store.reading().forms[0].total == 22.0
    head = store.engine.connect().execute(
        sqlalchemy.text("SELECT version_num FROM alembic_version")
    )
    assert head.scalar() is not None


def test_backup_copies_a_sqlite_record(tmp_path: Path):
    store = open_store(None, tmp_path)
    import_file(store, [make_form()])
    store.backup(tmp_path / "copy.db")
    copy = open_store(str(tmp_path / "copy.db"), tmp_path)
    assert copy.reading().forms[0].total == 22.0
    with pytest.raises(StoreError, match="the record itself"):
        store.backup(tmp_path / "paperfit.db")


def test_a_sqlite_record_on_a_network_share_is_refused(tmp_path: Path):
    mounts = "/dev/sda1 / ext4 rw 0 0\n//nas/practice /mnt/practice cifs rw 0 0\n"
    assert on_network_share(Path("/mnt/practice/paperfit.db"), mounts, "linux")
    assert not on_network_share(Path("/home/ann/paperfit.db"), mounts, "linux")
    assert not on_network_share(Path("/mnt/practice2/paperfit.db"), mounts, "linux")
    assert on_network_share(Path("//server/share/paperfit.db"), "", "linux")
    with pytest.raises(StoreError, match="network share"):
        open_store("//server/share/paperfit.db", tmp_path)


def test_the_migrations_make_the_tables_the_code_reads(store_url: str, tmp_path: Path):
    """store/schema.py and the revisions written out in full describe the same tables."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from paperfit.store.schema import metadata

    store = open_store(store_url, tmp_path)

    def ours(name: str | None, kind: str, parent: object) -> bool:  # the desk's tables: its own
        return kind != "table" or name in metadata.tables or name == "alembic_version"

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": ours})
        differences = compare_metadata(context, metadata)
    # comments (on PostgreSQL) are documentation in schema.py only
    flat = [d for group in differences for d in (group if isinstance(group, list) else [group])]
    assert [d for d in flat if "comment" not in d[0]] == []


def test_a_form_entered_at_the_desk_is_a_typed_copy(store_url: str, tmp_path: Path):
    store = open_store(store_url, tmp_path)
    scanned = make_form(items=(4.1, None, 6.0, 7.0), scan_statuses=("ok", "no mark", "ok", "ok"))
    import_file(store, [scanned], path="scan.csv")
    typed = make_form(items=(4.0, 5.5, 6.0, 7.0), source=Location("desk"))
    first = store.enter_form(typed, by="Dee", reason="typed from the paper form")
    assert (first.new, first.copies, first.conflicts) == (0, 1, [])
    assert store.reading().forms[0].items == (4.0, 5.5, 6.0, 7.0)
    second = store.enter_form(
        replace(typed, items=(4.0, 5.6, 6.0, 7.0)), by="Eve", reason="misread 5.5"
    )
    assert second.changed == 1 and store.reading().forms[0].items[1] == 5.6
    item2 = [v for v in store.history("C-1") if v.item == 2]
    assert [(v.value, v.by, v.why) for v in item2] == [
        (5.5, "Dee", "typed from the paper form"),
        (5.6, "Eve", "misread 5.5"),
    ]
    store.withdraw("C-1", "ORS", 1, by="Eve", reason="wrong client")
    assert store.next_session("C-1") == 1


@pytest.mark.hostile
@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://ana:s3cret@:::/record", "postgresql+psycopg://ana:s3cret@db:x/r"]
)
def test_a_malformed_url_is_refused_without_its_password(url: str, record_property) -> None:
    from paperfit.store.connect import make_engine
    from paperfit.store.records import StoreError

    with pytest.raises(StoreError) as refused:
        make_engine(url)
    assert "s3cret" not in str(refused.value) and "is not a database URL" in str(refused.value)
    record_property("hostile", "refused")
