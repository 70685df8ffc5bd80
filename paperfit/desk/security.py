"""Who may use the desk, and which requests it refuses before any page runs.

Takes: each request. Returns: the person signed in (g.person), or a refusal: a Host that is
not the desk's own (DNS rebinding), no session, a POST without the session's CSRF token or
from another site, a role that may not open the page. Sessions live in this process only (a
restart signs everyone out); the cookie holds a random id, HttpOnly and SameSite=Strict.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request

from paperfit.desk.config import LOCAL_PERSON, ROLES, DeskConfig
from paperfit.desk.users import Throttle

COOKIE = "paperfit_desk"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Pages anyone may open without a session: the login page and the desk's own static files.
OPEN_ENDPOINTS = frozenset({"auth.login", "static"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class Person:
    """Someone signed in: their name (written into every version they make) and roles."""

    name: str
    roles: frozenset[str]
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    seen: float = field(default_factory=time.monotonic)

    def may(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


class Sessions:
    """The desk's sessions, in memory: each a random id (the cookie) to a Person, ended after
    IDLE minutes without a request."""

    def __init__(self, idle_minutes: int) -> None:
        self._idle = idle_minutes * 60
        self._people: dict[str, Person] = {}
        self._lock = threading.Lock()

    def start(self, person: Person) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._people[sid] = person
        return sid

    def get(self, sid: str | None) -> Person | None:
        """The person of SID, or None when there is none or it has been idle too long."""
        if not sid:
            return None
        now = time.monotonic()
        with self._lock:
            person = self._people.get(sid)
            if person is None:
                return None
            if now - person.seen > self._idle:
                del self._people[sid]
                return None
            person.seen = now
            return person

    def end(self, sid: str | None) -> None:
        with self._lock:
            self._people.pop(sid or "", None)


class OneTimeToken:
    """Local mode's way in: the token in the printed link, good once (as Datasette's root
    token), compared in constant time."""

    def __init__(self, token: str | None) -> None:
        self._token = token
        self._lock = threading.Lock()

    def use(self, given: str) -> bool:
        with self._lock:
            if self._token is None or not same_secret(given, self._token):
                return False
            self._token = None
            return True


def same_secret(given: str, secret: str) -> bool:
    """GIVEN equals SECRET, compared in constant time (as bytes: any text may be sent)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogatepass"), secret.encode())


def config() -> DeskConfig:
    return current_app.extensions["paperfit_desk"]["config"]


def throttle() -> Throttle:
    return current_app.extensions["paperfit_desk"]["throttle"]


def sessions() -> Sessions:
    return current_app.extensions["paperfit_desk"]["sessions"]


def sign_in(response: Response, person: Person) -> Response:
    """Start PERSON's session and set its cookie on RESPONSE."""
    response.set_cookie(
        COOKIE,
        sessions().start(person),
        httponly=True,
        samesite="Strict",
        secure=config().lan,
        path="/",
    )
    return response


def sign_out(response: Response) -> Response:
    sessions().end(request.cookies.get(COOKIE))
    response.delete_cookie(COOKIE, path="/", samesite="Strict", secure=config().lan)
    return response


def refuse(status: int, message: str) -> Response:
    """A plain refusal: no page, no detail beyond MESSAGE (never a traceback)."""
    return Response(message + "\n", status=status, mimetype="text/plain")


def _check_host() -> Response | None:
    if not config().allowed_host(request.host):
        return refuse(403, "This desk answers only at its own address.")
    return None


def same_origin() -> bool:
    """Datasette's second layer against cross-site requests: the browser says where the
    request comes from (Sec-Fetch-Site), or else its Origin names this desk."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc.lower() == request.host.lower()


def _check_csrf(person: Person) -> Response | None:
    if request.method not in UNSAFE_METHODS:
        return None
    if not same_origin():
        return refuse(403, "Refused: this request came from another site.")
    given = request.headers.get("X-CSRFToken") or request.form.get("csrf_token", "")
    if not same_secret(given, person.csrf):
        return refuse(403, "Refused: the page was out of date. Reload it and try again.")
    return None


def _token_login() -> Response | None:
    """?token=… on any page: sign in as the desk and go to the same page without it."""
    given = request.args.get("token")
    if given is None or config().lan:
        return None
    token: OneTimeToken = current_app.extensions["paperfit_desk"]["token"]
    if not token.use(given):
        return refuse(
            403,
            "This link has been used already or is wrong. Stop the desk (Ctrl-C) and start "
            "it again for a new link.",
        )
    response = redirect(request.path)
    return sign_in(response, Person(LOCAL_PERSON, frozenset(ROLES)))


def before_request() -> Response | None:
    """Every request passes here first: Host, token, session, CSRF, in that order."""
    refused = _check_host() or _token_login()
    if refused is not None:
        return refused
    g.person = sessions().get(request.cookies.get(COOKIE))
    if request.endpoint in OPEN_ENDPOINTS:
        return _check_csrf(g.person) if g.person and request.method in UNSAFE_METHODS else None
    if g.person is None:
        if config().lan:
            return redirect("/login")
        return refuse(
            403, "Open the link that paperfit desk printed when it started (it has a token)."
        )
    return _check_csrf(g.person)


def after_request(response: Response) -> Response:
    """Headers on every answer: no other origin, no inline script, not framed, not cached."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    if config().lan:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def roles(*allowed: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view only people with one of ALLOWED roles may open (403 for the others)."""
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not g.person.may(*allowed):
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def install(app: Flask, desk: DeskConfig) -> None:
    """Put the checks on APP, with DESK's sessions and token."""
    app.extensions["paperfit_desk"] = {
        "config": desk,
        "sessions": Sessions(desk.idle_minutes),
        "token": OneTimeToken(desk.token),
        "throttle": Throttle(),
    }
    app.before_request(before_request)
    app.after_request(after_request)
