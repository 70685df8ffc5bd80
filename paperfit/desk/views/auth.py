"""Signing in with a name and password (LAN mode) and signing out."""

from __future__ import annotations

import time

from flask import Blueprint, Response, g, redirect, render_template, request

from paperfit.desk import security
from paperfit.desk.context import store, words
from paperfit.desk.users import check_login

blueprint = Blueprint("auth", __name__)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    """The login page; in local mode there is nothing to sign in to (the link signs in)."""
    desk = security.config()
    if not desk.lan or g.person is not None:
        return redirect("/")
    if request.method == "GET":
        return render_template("desk/login.html", message="", name="")
    # No session yet, so no CSRF token: the browser's own word that the form came from this
    # desk stands in (against login CSRF).
    if not security.same_origin():
        return security.refuse(403, "Refused: this request came from another site.")
    name = request.form.get("name", "").strip()[:100]
    password = request.form.get("password", "")
    keys = (f"name:{name.casefold()}", f"address:{request.remote_addr}")

    throttle = security.throttle()
    wait = throttle.wait(*keys)
    if wait > 0:
        message = words()["login_wait"].format(seconds=int(wait) + 1)
        return render_template("desk/login.html", message=message, name=name), 429
    role = check_login(store().engine, name, password)
    if role is None:
        throttle.failed(*keys)
        time.sleep(desk.login_delay)
        return render_template("desk/login.html", message=words()["login_wrong"], name=name), 403
    throttle.succeeded(*keys)
    return security.sign_in(redirect("/"), security.Person(name, frozenset({role})))


@blueprint.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out (a POST, with the CSRF token: a link elsewhere cannot sign anyone out)."""
    if security.config().lan:
        response = redirect("/login")
    else:
        response = Response(render_template("desk/signed_out.html"))
    return security.sign_out(response)
