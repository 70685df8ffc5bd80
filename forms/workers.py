"""How paperfit starts worker processes, for the commands that use every core."""

from __future__ import annotations

import multiprocessing


def fork_context() -> multiprocessing.context.BaseContext | None:
    """Fork where the platform has it: workers start at once with everything already loaded."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None
