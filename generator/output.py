"""Write output files atomically: a temporary file in the same folder, then a rename; and a set
of files that belong together (a scan's workbook, CSV and proof; a caseload's graphs) made in a
temporary folder beside their folder and moved into place together, under a lock.

An interrupted run leaves either the old file or the new one, never half of one; a set of files
is never a mix of two runs (a second run into the same folder is refused while one holds the
lock, and the moves into place are not interrupted by Ctrl-C).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from paperfit.forms.errors import PaperfitError

_HELD: set[Path] = set()  # the locks this process holds (a command may take one twice)


def write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Call WRITE with an open temporary file, then move it to PATH."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".part", dir=path.parent
        )
    except OSError as error:
        raise PaperfitError(f"Cannot write {path}: {error.strerror}.") from None
    try:
        # mkstemp makes the file private; give it the permissions any new file would get.
        os.chmod(temporary, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise PaperfitError(f"Cannot write {path}: {error.strerror}.") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def lock_path(folder: Path) -> Path:
    """The lock file of output FOLDER: beside it, in its parent."""
    folder = Path(folder).absolute()
    return folder.parent / f".{folder.name}.paperfit-lock"


@contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """Hold the lock on output FOLDER for the duration; PaperfitError when another living
    paperfit run holds it. A lock left by a process that has ended is taken over."""
    lock = lock_path(folder)
    if lock in _HELD:
        yield
        return
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        _take(lock, folder)
    except OSError as error:
        raise PaperfitError(f"Cannot write {folder}: {error.strerror}.") from None
    _HELD.add(lock)
    try:
        yield
    finally:
        _HELD.discard(lock)
        lock.unlink(missing_ok=True)


def _take(lock: Path, folder: Path) -> None:
    """Create LOCK holding this process's id, or raise PaperfitError naming its holder."""
    me = f"{os.getpid()} {socket.gethostname()}\n"
    for _ in range(2):
        try:
            with open(lock, "x", encoding="utf-8") as stream:
                stream.write(me)
            return
        except FileExistsError:
            holder = _holder(lock)
            if holder is not None:
                raise PaperfitError(
                    f"Another paperfit run (process {holder}) is writing to {folder}. Wait for "
                    f"it to finish, or write somewhere else with -o. If no paperfit is running, "
                    f"delete {lock}."
                ) from None
            lock.unlink(missing_ok=True)  # its process has ended: a stale lock
    raise PaperfitError(f"Cannot take the lock {lock}: delete it and run again.")


def _holder(lock: Path) -> int | None:
    """The process id holding LOCK when that process still runs on this machine, else None."""
    try:
        pid_text, _, host = lock.read_text(encoding="utf-8").partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return None  # unreadable or half-written: taken as stale
    if host.strip() and host.strip() != socket.gethostname():
        return pid  # another machine's run: it cannot be checked, so it is respected
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid  # alive, someone else's
    return pid


class FileSet:
    """Files being made to go into FOLDER together: write each to `path(name)`; they are moved
    into FOLDER when the `files_together` block ends without an error."""

    def __init__(self, folder: Path, staging: Path) -> None:
        self.folder = folder
        self.staging = staging
        self.removed: list[str] = []

    def path(self, name: str) -> Path:
        """Where to write the file that becomes FOLDER/NAME."""
        return self.staging / name

    def remove(self, name: str) -> None:
        """Delete FOLDER/NAME when the set is moved in (an earlier file that would not match)."""
        self.removed.append(name)


@contextmanager
def files_together(folder: Path, check: Callable[[Path], None] | None = None) -> Iterator[FileSet]:
    """A FileSet for FOLDER: files written into a temporary folder beside it, under FOLDER's
    lock, then moved into FOLDER together (or, on any error, none of them). CHECK is called
    with each file's place in FOLDER before any is moved, and may refuse (raise)."""
    folder = Path(folder)
    with output_lock(folder):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            staging = Path(
                tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent)
            )
        except OSError as error:
            raise PaperfitError(f"Cannot write {folder}: {error.strerror}.") from None
        try:
            files = FileSet(folder, staging)
            yield files
            made = sorted(staging.iterdir())
            if check is not None:
                for path in made:
                    check(folder / path.name)
            with _no_interrupts():
                for path in made:
                    os.replace(path, folder / path.name)
                for name in files.removed:
                    (folder / name).unlink(missing_ok=True)
        except OSError as error:
            raise PaperfitError(f"Cannot write {folder}: {error.strerror}.") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _no_interrupts() -> Iterator[None]:
    """Ctrl-C held back until the block is done (in the main thread), so a set of renames is
    never cut in the middle."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[object] = []
    previous = signal.signal(signal.SIGINT, lambda *args: caught.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
