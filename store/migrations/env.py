"""Alembic's entry point for the store: runs the migrations on the connection open_store gives.

There is no alembic.ini and no URL here: store/connect.py builds the configuration and passes
its open connection in config.attributes["connection"], so a migration runs inside the same
transaction and on the same database the command opened, whatever its dialect.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the store's migrations run only through paperfit.store.open_store")
context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
