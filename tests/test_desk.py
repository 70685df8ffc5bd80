"""The desk through Flask's test client: every route's status and content, who may open what,
and the requests it refuses (no token, a used token, a foreign Host, a POST without its CSRF
token or from another site), on a small practice in a real SQLite store."""

from __future__ import annotations

import http.client
import io
import re
import ssl
import urllib.parse
from pathlib import Path

import pytest
import sqlalchemy
from click.testing import CliRunner
from paperfit.forms.instrument import Catalog
from paperfit.forms.limits import Limits
from paperfit.forms.sheet import line_places
from paperfit.generator.sheets import Header
from pypdf import PdfReader

from paperfit.cli import cli
from paperfit.desk.security import CSP
from paperfit.desk.server import Running, make_server
from paperfit.desk.tls import fingerprint, self_signed
from paperfit.desk.users import add_user
from paperfit.made_up_scans import made_up_scan, sheet_pdf
from paperfit.scan_intake import page_and_marks, take_in_inbox
from tests.desk_support import TODAY, TOKEN, csrf_of, make_desk, scanned_form, with_model

PASSWORD = "a long enough password"


@pytest.fixture
def desk(tmp_path: Path):  # type: ignore[no-untyped-def]
    app, store = make_desk(tmp_path)
    yield app, store
    store.close()


@pytest.fixture
def signed_in(desk):  # type: ignore[no-untyped-def]
    """A test client signed in with the one-time token, and the store."""
    app, store = desk
    client = app.test_client()
    assert client.get(f"/?token={TOKEN}").status_code == 302
    return client, store


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


# ---------------------------------------------------------------------------------------------
# Getting in


def test_without_the_token_every_page_is_refused(desk) -> None:  # type: ignore[no-untyped-def]
    client = desk[0].test_client()
    for url in ("/", "/entry", "/scans", "/clients", "/clients/C-1", "/report", "/history/C-1"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"C-1" not in response.data
    assert client.get("/?token=wrong").status_code == 403


def test_the_token_works_once_and_becomes_a_strict_httponly_cookie(desk) -> None:  # type: ignore[no-untyped-def]
    app = desk[0]
    first = app.test_client()
    response = first.get(f"/clients?token={TOKEN}")
    assert response.status_code == 302 and response.location == "/clients"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert first.get("/clients").status_code == 200
    assert app.test_client().get(f"/?token={TOKEN}").status_code == 403  # used already


def test_a_foreign_host_is_refused_even_with_a_session(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in
    assert client.get("/", headers={"Host": "localhost:8470"}).status_code == 200
    for host in ("evil.example", "attacker.test:8470", "127.0.0.1.evil.example"):
        response = client.get("/", headers={"Host": host})
        assert response.status_code == 403, host
        assert b"C-1" not in response.data


def test_every_page_has_the_strict_headers(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.text and " on" not in re.sub(r"<[^>]*>", "", "")
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)  # no inline script
    assert not re.search(r"\son[a-z]+=", response.text)  # no inline handlers
    assert not re.search(r"\sstyle=", response.text)  # no inline style (CSP forbids it)
    htmx = client.get("/static/htmx-2.0.11.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.data[:200]


def test_a_post_needs_its_csrf_token_and_this_site(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, store = signed_in
    token = csrf_of(client.get("/").text)
    form = {"client": "C-7", "time": "10:00", "day": TODAY.isoformat()}
    assert client.post("/appointments", data=form).status_code == 403
    assert client.post("/appointments", data={**form, "csrf_token": "x" * 43}).status_code == 403
    other_site = client.post(
        "/appointments",
        data={**form, "csrf_token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert other_site.status_code == 403
    evil_origin = client.post(
        "/appointments", data={**form, "csrf_token": token}, headers={"Origin": "http://evil.test"}
    )
    assert evil_origin.status_code == 403
    odd = client.post("/appointments", data=form, headers={"X-CSRFToken": "tökén"})
    assert odd.status_code == 403
    assert [a.client_id for a in store.appointments(TODAY)] == ["C-1"]
    assert client.post("/appointments", data={**form, "csrf_token": token}).status_code == 200
    by_header = client.post(
        "/appointments",
        data={**form, "client": "C-8"},
        headers={"X-CSRFToken": token, "Sec-Fetch-Site": "same-origin"},
    )
    assert by_header.status_code == 200
    assert [a.client_id for a in store.appointments(TODAY)] == ["C-1", "C-7", "C-8"]


def test_an_error_shows_no_debug_page_and_no_data(signed_in, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client, store = signed_in

    def broken(day):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail of client C-1")

    monkeypatch.setattr(store, "appointments", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert b"secret" not in response.data and b"Traceback" not in response.data


# ---------------------------------------------------------------------------------------------
# The pages


def test_today_lists_the_appointments_with_the_latest_flag(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in
    page = client.get("/").text
    assert "C-1" in page and "09:30" in page and "Dr. Rivera" in page
    assert "reliable deterioration" in page  # C-1's ORS fell from 20 to 13
    assert "/day/pack.pdf?day=2026-03-16" in page


def test_the_days_pack_and_graphs_are_the_printed_pdfs(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in
    pack = client.get("/day/pack.pdf")
    assert pack.status_code == 200 and pack.mimetype == "application/pdf"
    text = pdf_text(pack.data)
    assert "C-1" in text and "2026-03-16" in text
    assert len(PdfReader(io.BytesIO(pack.data)).pages) == 2  # ORS and SRS for the one client
    graphs = client.get("/day/graphs.pdf")
    assert graphs.status_code == 200 and "C-1" in pdf_text(graphs.data)
    assert client.get("/day/pack.pdf?day=2026-03-17").status_code == 404


def test_a_schedule_file_is_kept_as_appointments(signed_in, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, store = signed_in
    token = csrf_of(client.get("/").text)
    schedule = (
        b"client_id,date,session,clinician,age_group,format\n"
        b"C-2,2026-03-16,3,Dr. Chen,adult,individual\nC-9,2026-03-16,1,Dr. Chen,child,individual\n"
        + "C\u200d-8,2026-03-16,1,Dr. Chen,adult,individual\n".encode()
    )
    response = client.post(
        "/appointments/upload",
        data={"csrf_token": token, "schedule": (io.BytesIO(schedule), "today.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.text
    assert {a.client_id for a in store.appointments(TODAY)} == {"C-1", "C-2", "C-9", "C-8"}
    assert "today.csv" in response.text and "row 4" in response.text  # the ID rule's warning
    with store.engine.connect() as conn:
        sources = [row[0] for row in conn.execute(sqlalchemy.text("SELECT path FROM sources"))]
    assert "today.csv" in sources and not any("paperfit-desk-" in path for path in sources)
    bad = client.post(
        "/appointments/upload",
        data={"csrf_token": token, "schedule": (io.BytesIO(b"x"), "today.txt")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400


def test_a_typed_form_is_a_version_by_the_desk(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, store = signed_in
    page = client.get("/entry").text
    token = csrf_of(page)
    assert client.get("/entry/next?client=C-2&instrument=ORS").json == {"session": 3, "known": True}
    assert "C-2" in client.get("/entry/clients?client=C-").text
    typed = {"client": "C-2", "instrument": "ORS", "session": "3", "date": "2026-03-16"}
    items = {"item1": "7.1", "item2": "7,2", "item3": "7.3", "item4": "7.4"}
    saved = client.post("/entry", data={**typed, **items, "csrf_token": token})
    assert saved.status_code == 200 and "29.0" in saved.text
    assert len({f.session for f in store.reading(["C-2"]).forms}) == 3
    versions = [v for v in store.history("C-2") if v.session == 3]
    assert {(v.by, v.why) for v in versions} == {("desk", "typed on the desk")}
    assert sorted(v.value for v in versions if v.item) == [7.1, 7.2, 7.3, 7.4]
    wrong = client.post(
        "/entry", data={**typed, **items, "item2": "12", "session": "x", "csrf_token": token}
    )
    assert wrong.status_code == 400
    assert "Item 2" in wrong.text and "Session" in wrong.text
    assert len({f.session for f in store.reading(["C-2"]).forms}) == 3


def test_the_client_page_shows_the_graph_table_flags_and_history(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in
    page = client.get("/clients/C-1").text
    assert "<svg" in page and "reliable deterioration" in page
    assert "13.0" in page and "20.0" in page  # the ORS totals in the table
    assert client.get("/clients/C-404").status_code == 404
    pdf = client.get("/clients/C-1/graph.pdf")
    assert pdf.status_code == 200 and "C-1" in pdf_text(pdf.data)
    history = client.get("/history/C-1").text
    assert "entry.xlsx" in history and "Ann" in history
    listing = client.get("/clients?q=C-2").text
    assert "C-2" in listing and "C-1" not in listing


def test_the_report_page_and_pdf(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in
    page = client.get("/report").text
    assert "C-1" in page and "Rests on 10 forms" in page
    pdf = client.get("/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


# ---------------------------------------------------------------------------------------------
# The network: named logins, roles, slowed guessing, idle sign-out


def lan_client(app, store, name: str, role: str):  # type: ignore[no-untyped-def]
    add_user(store.engine, name, role, PASSWORD, "test")
    client = app.test_client()
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def test_lan_mode_needs_a_login_and_roles_limit_the_pages(tmp_path: Path) -> None:
    app, store = make_desk(tmp_path, lan=True)
    anonymous = app.test_client()
    assert anonymous.get("/").location == "/login"
    assert anonymous.get(f"/?token={TOKEN}").location == "/login"  # no token on the network
    front = lan_client(app, store, "Fran", "front desk")
    assert front.get("/").status_code == 200
    assert front.get("/day/pack.pdf").status_code == 200
    for url in ("/entry", "/scans", "/clients", "/clients/C-1", "/report", "/history/C-1"):
        assert front.get(url).status_code == 403, url
    clinician = lan_client(app, store, "Dr. Rivera", "clinician")
    assert clinician.get("/clients/C-1").status_code == 200
    assert clinician.get("/report").status_code == 200
    assert clinician.get("/scans").status_code == 403
    token = csrf_of(clinician.get("/entry").text)
    typed = {"client": "C-2", "instrument": "ORS", "session": "3", "date": "2026-03-16"}
    items = {f"item{n}": "5.0" for n in range(1, 5)}
    assert clinician.post("/entry", data={**typed, **items, "csrf_token": token}).status_code == 200
    assert {v.by for v in store.history("C-2") if v.session == 3} == {"Dr. Rivera"}
    out = clinician.post("/logout", data={"csrf_token": token})
    assert out.location == "/login" and clinician.get("/").location == "/login"
    store.close()


def test_failed_logins_are_slowed_and_idle_sessions_end(tmp_path: Path) -> None:
    app, store = make_desk(tmp_path, lan=True, idle_minutes=0)
    add_user(store.engine, "Ann", "admin", PASSWORD, "test")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"name": "Ann", "password": "nope"}).status_code == 403
    waiting = client.post("/login", data={"name": "Ann", "password": PASSWORD})
    assert waiting.status_code == 429  # even the right password waits now
    cross = app.test_client().post(
        "/login", data={"name": "x", "password": "y"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403
    store.close()
    app, store = make_desk(tmp_path / "idle", lan=True, idle_minutes=0)
    idle = lan_client(app, store, "Bo", "admin")
    assert idle.get("/").location == "/login"  # 0 idle minutes: signed out at once
    store.close()


def test_user_add_command_and_its_refusals(tmp_path: Path) -> None:
    db = str(tmp_path / "paperfit.db")
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["user", "add", "Ann", "--role", "front desk", "--db", db],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert "Added Ann (front desk)" in added.output
    again = runner.invoke(
        cli, ["user", "add", "Ann", "--role", "admin", "--db", db, "--password", PASSWORD]
    )
    assert again.exit_code == 1 and "already a login named 'Ann'" in again.output
    short = runner.invoke(
        cli, ["user", "add", "Bo", "--role", "admin", "--db", db, "--password", "x"]
    )
    assert short.exit_code == 2 and "too short or too long" in short.output


def test_the_self_signed_certificate_is_made_once(tmp_path: Path) -> None:
    cert, key, made = self_signed(tmp_path, ["192.168.1.20", "desk-pc"])
    assert made and (key.stat().st_mode & 0o777) == 0o600
    again = self_signed(tmp_path, ["192.168.1.20"])
    assert again == (cert, key, False)
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", fingerprint(cert))


# ---------------------------------------------------------------------------------------------
# Scans: kept by sha256, reviewed mark by mark, each decision a version


def test_a_scan_is_kept_and_its_mark_reviewed_by_a_click_on_the_line(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, store = signed_in
    token = csrf_of(client.get("/scans").text)
    scan = scanned_form("C-2", 3, [(7.0,), (6.0, 2.0), (7.5,), (8.0,)])
    upload = client.post(
        "/scans/upload",
        data={"csrf_token": token, "scans": (io.BytesIO(scan), "monday.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 200 and "1 pages, 1 forms, 1 to look at" in upload.text
    [version] = {v.item: v for v in store.history("C-2") if v.session == 3 and v.item == 1}.values()
    assert version.value == pytest.approx(7.0, abs=0.15) and "monday.pdf" in version.source
    again = client.post(
        "/scans/upload",
        data={"csrf_token": token, "scans": (io.BytesIO(scan), "copy.pdf")},
        content_type="multipart/form-data",
    )
    assert "taken in before" in again.text
    page_id = int(re.search(r'href="/scans/page/(\d+)"', client.get("/scans").text).group(1))
    review = client.get(f"/scans/page/{page_id}").text
    assert "more than one mark" in review and review.count('type="image"') == 4
    _, marks = page_and_marks(store, page_id)
    second = next(m for m in marks if m.item == 2)
    width = int.from_bytes(second.picture[16:20], "big")
    x = (second.tick_left + 0.55 * (second.tick_right - second.tick_left)) * width
    assert client.get(f"/scans/mark/{second.id}.png").mimetype == "image/png"
    clicked = client.post(
        f"/scans/mark/{second.id}",
        data={"csrf_token": token, "page": page_id, "width": width, "at.x": round(x), "at.y": 5},
    )
    assert clicked.status_code == 303
    item2 = next(f for f in store.reading(["C-2"]).forms if f.session == 3).items[1]
    assert item2 == pytest.approx(5.5, abs=0.1)
    first = next(m for m in marks if m.item == 1)
    typed = {"csrf_token": token, "page": page_id}
    wrong = client.post(f"/scans/mark/{first.id}", data={**typed, "value": "11"})
    assert wrong.status_code == 400
    retyped = client.post(f"/scans/mark/{first.id}", data={**typed, "value": "7,3"})
    assert retyped.status_code == 303
    assert next(f for f in store.reading(["C-2"]).forms if f.session == 3).items[0] == 7.3
    confirmed = client.post(f"/scans/page/{page_id}/confirm", data={"csrf_token": token})
    assert confirmed.status_code == 303
    assert "Nothing to look at" in client.get("/scans").text
    late = client.post(f"/scans/mark/{first.id}", data={**typed, "value": "2"})
    assert late.status_code == 400  # the page is confirmed: no more decisions on it
    whys = [v.why for v in store.history("C-2") if v.session == 3 and v.item == 2]
    assert any("item 2 reviewed on the desk: monday.pdf page 1" in why for why in whys)


def test_the_network_desk_serves_https_only_with_a_secure_cookie(tmp_path: Path) -> None:
    app, store = make_desk(tmp_path, lan=True)
    add_user(store.engine, "Ann", "admin", PASSWORD, "test")
    cert, key, _ = self_signed(tmp_path / "tls", ["127.0.0.1"])
    running = Running(make_server(app, "127.0.0.1", 0, cert, key))
    try:
        trusted = ssl.create_default_context(cafile=str(cert))
        connection = http.client.HTTPSConnection("127.0.0.1", running.port, context=trusted)
        body = urllib.parse.urlencode({"name": "Ann", "password": PASSWORD})
        connection.request(
            "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        response = connection.getresponse()
        assert response.status == 302
        cookie = response.getheader("Set-Cookie")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert response.getheader("Strict-Transport-Security")
        plain = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
        with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
            plain.request("GET", "/login")
            assert plain.getresponse().status >= 400  # never a page over plain HTTP
    finally:
        running.stop()
        store.close()


def test_the_inbox_is_read_and_its_files_moved(signed_in, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, store = signed_in
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "morning.pdf").write_bytes(scanned_form("C-2", 4, [(5.0,), (5.5,), (6.0,), (6.5,)]))
    (inbox / "notes.txt").write_text("not a scan")
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    done = dict(take_in_inbox(store, inbox, Catalog.load(), Limits(), "Ann"))
    assert sorted(p.parent.name for p in done) == ["failed", "failed", "processed"]
    assert not [p for p in inbox.iterdir() if p.is_file()]
    assert (inbox / "processed" / "morning.pdf").exists()
    read = next(f for f in store.reading(["C-2"]).forms if f.session == 4)
    assert read.total == pytest.approx(23.0, abs=0.4)
    assert any("not a scan paperfit reads" in str(v) for v in done.values())


def test_an_unnamed_page_is_assigned_by_hand(signed_in) -> None:  # type: ignore[no-untyped-def]

    client, store = signed_in
    token = csrf_of(client.get("/scans").text)
    blank = sheet_pdf("letter", "ORS", Header())  # printed without a client: names no one
    places = line_places(Catalog.load().get("ORS"), "letter", False)
    scan = made_up_scan(blank, [[(p, (6.0,)) for p in places]], 200, seed=5)
    upload = client.post(
        "/scans/upload",
        data={"csrf_token": token, "scans": (io.BytesIO(scan), "blank.pdf")},
        content_type="multipart/form-data",
    )
    assert "1 to look at" in upload.text and "to assign by hand" in client.get("/scans").text
    page_id = int(re.search(r'href="/scans/page/(\d+)"', client.get("/scans").text).group(1))
    page = client.get(f"/scans/page/{page_id}").text
    assert 'name="item1" class="item short" value="6.0"' in page  # the values read, to check
    typed = {"client": "C-1", "instrument": "ORS", "session": "5", "date": "2026-03-16"}
    items = {f"item{n}": "6.0" for n in range(1, 5)}
    bad = client.post(
        f"/scans/page/{page_id}/assign", data={**typed, "session": "", **items, "csrf_token": token}
    )
    assert bad.status_code == 400
    done = client.post(
        f"/scans/page/{page_id}/assign", data={**typed, **items, "csrf_token": token}
    )
    assert done.status_code == 303
    whys = {v.why for v in store.history("C-1") if v.session == 5}
    assert any(why.startswith("assigned by hand on the desk: blank.pdf page 1") for why in whys)


def test_an_upload_too_large_or_of_the_wrong_kind_is_refused(tmp_path: Path) -> None:
    app, store = make_desk(tmp_path, max_upload=1000)
    client = app.test_client()
    client.get(f"/?token={TOKEN}")
    token = csrf_of(client.get("/scans").text)
    big = client.post(
        "/scans/upload",
        data={"csrf_token": token, "scans": (io.BytesIO(b"0" * 5000), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 413
    wrong = client.post(
        "/scans/upload",
        data={"csrf_token": token, "scans": (io.BytesIO(b"MZ"), "setup.exe")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and "not a scan paperfit reads" in wrong.text
    store.close()


def test_the_desk_command_refuses_a_wrong_start(tmp_path: Path) -> None:
    db = str(tmp_path / "paperfit.db")
    runner = CliRunner()
    cert, _, _ = self_signed(tmp_path, ["127.0.0.1"])
    alone = runner.invoke(cli, ["desk", "--db", db, "--cert", str(cert), "--no-browser"])
    assert alone.exit_code == 2 and "--cert and --key together, with --lan" in alone.output
    no_logins = runner.invoke(cli, ["desk", "--db", db, "--lan", "--no-browser", "--port", "0"])
    assert no_logins.exit_code == 1 and "paperfit user add" in no_logins.output


def test_the_desk_tables_are_made_by_revision_0002_as_the_desk_reads_them(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from paperfit.store import open_store

    from paperfit.desk.tables import metadata

    said: list[str] = []
    store = open_store(str(tmp_path / "fresh.db"), tmp_path, said.append)
    try:
        found = sa.inspect(store.engine)
        for table in metadata.sorted_tables:
            made = {column["name"] for column in found.get_columns(table.name)}
            assert made == {column.name for column in table.columns}, table.name
        with store.engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() >= "0002"
    finally:
        store.close()


@pytest.mark.parametrize(
    ("language", "title"), [("es", "Formularios del día"), ("fr", "Graphiques du jour")]
)
def test_the_pages_speak_the_desks_language(tmp_path: Path, language: str, title: str) -> None:
    app, store = make_desk(tmp_path, language=language)
    client = app.test_client()
    client.get(f"/?token={TOKEN}")
    page = client.get("/").text
    assert title in page and f'<html lang="{language}">' in page
    store.close()


def test_the_graph_draws_the_expected_course_and_today_says_below_expected(tmp_path: Path) -> None:
    app, store = make_desk(tmp_path, settings=with_model(tmp_path))
    client = app.test_client()
    client.get(f"/?token={TOKEN}")
    page = client.get("/clients/C-1").text
    assert "past clients of this practice who started at 18 to 22" in page
    assert "below expected" in client.get("/").text  # C-1 fell from 20 to 13
    assert "below expected" not in client.get("/clients/C-2").text.split("<figure")[0]
    store.close()


def test_the_inbox_command_reads_the_inbox_into_the_record(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "scan.pdf").write_bytes(
        scanned_form("C-5", 1, [(5.0,), (5.0, 9.0), (6.0,), (6.5,)])
    )
    settings = tmp_path / "paperfit.toml"
    settings.write_text('[desk]\ninbox = "inbox"\n')
    runner = CliRunner()
    done = runner.invoke(cli, ["--config", str(settings), "inbox", "--by", "Ann"])
    assert done.exit_code == 0, done.output
    assert "scan.pdf: 1 pages, 1 forms, 1 to look at" in done.output
    assert (tmp_path / "inbox" / "processed" / "scan.pdf").exists()
    empty = runner.invoke(cli, ["--config", str(settings), "inbox"])
    assert empty.exit_code == 0 and "is empty" in empty.output
    none = runner.invoke(cli, ["inbox", "--db", str(tmp_path / "x.db")])
    assert none.exit_code == 2 and "No inbox folder is set" in none.output


def test_auto_expected_courses_are_fitted_in_the_background_with_the_practices_settings(
    tmp_path: Path,
) -> None:
    """The desk fits the record's courses as the command line does (paperfit.toml's minimums,
    the practice's cutoffs), off the request path, and its graphs then draw them."""
    import time

    from paperfit.desk.app import start_background_work
    from paperfit.practices import MIXED, write_practice

    files = write_practice(tmp_path / "practice", MIXED.courses(130, seed=5))
    record = str(tmp_path / "paperfit.db")  # the record make_desk opens
    made = CliRunner().invoke(cli, ["import", *map(str, files), "--db", record])
    assert made.exit_code == 0, made.output
    app, store = make_desk(tmp_path)
    start_background_work(app)
    courses = app.extensions["paperfit_store"]["courses"]
    waited = 0.0
    while courses.state == "fitting" and waited < 120:
        time.sleep(0.2)
        waited += 0.2
    assert courses.state == "ready"
    assert courses.model is not None and courses.model.clients >= 100
    store.close()


def test_a_certificate_pair_half_written_is_made_again(tmp_path: Path) -> None:
    """A first --lan start stopped between the two files leaves only the key: the next start
    makes the pair again instead of failing."""
    cert, _key, made = self_signed(tmp_path, ["127.0.0.1"])
    assert made
    cert.unlink()
    again_cert, again_key, made_again = self_signed(tmp_path, ["127.0.0.1"])
    assert made_again and again_cert.exists() and again_key.exists()
    assert again_key.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*.part"))
