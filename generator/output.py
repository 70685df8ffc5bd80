"""Write output files atomically: a temporary file in the same folder, then a rename; and a set
of files that belong together (a scan's workbook, CSV and proof; a caseload's graphs) made in a
hidden temporary folder inside their folder (the same file system, so a folder that is a mount
point works) and moved into place together, under a lock kept in the folder too.

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
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
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


LOCK_NAME = ".paperfit-lock"
OTHER_FOLDER = ", or write somewhere else with -o"
TAKEOVER = ".takeover"  # beside a stale lock while one run replaces it (see _take_over)
WAIT_STEP = 0.05  # seconds between tries when a lock is waited for
HALF_WRITTEN = 10.0  # seconds after which a lock without a process id in it is stale


def lock_path(folder: Path) -> Path:
    """The lock file of output FOLDER: inside it, so a folder that is a mount point (a USB
    stick, a share) whose parent cannot be written to is locked on its own file system."""
    return Path(folder).absolute() / LOCK_NAME


@contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """Hold the lock on output FOLDER for the duration; PaperfitError when another living
    paperfit run holds it. A lock left by a process that has ended is taken over."""
    folder = Path(folder)
    made = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PaperfitError(f"Cannot write {folder}: {error.strerror}.") from None
    try:
        with file_lock(lock_path(folder), f"writing to {folder}", instead=OTHER_FOLDER):
            yield
    finally:
        if made:  # a run that wrote nothing leaves no empty folder behind
            with suppress(OSError):
                folder.rmdir()


@contextmanager
def file_lock(lock: Path, doing: str, wait: float = 0.0, instead: str = "") -> Iterator[None]:
    """Hold LOCK (a file created for the duration) while DOING; PaperfitError (saying what
    to do INSTEAD of waiting) when another living paperfit run still holds it after WAIT
    seconds. A lock left by a process that has
    ended is taken over, by one run only (see _take_over)."""
    lock = Path(lock).absolute()
    if lock in _HELD:
        yield
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            _take(lock, doing, instead)
            break
        except _Held as held:
            if time.monotonic() >= deadline:
                raise PaperfitError(str(held)) from None
            time.sleep(WAIT_STEP)
        except OSError as error:
            raise PaperfitError(f"Cannot write {lock.parent}: {error.strerror}.") from None
    _HELD.add(lock)
    try:
        yield
    finally:
        _HELD.discard(lock)
        lock.unlink(missing_ok=True)


class _Held(Exception):
    """The lock is held by another living run (the message says which and what to do)."""


def _take(lock: Path, doing: str, instead: str) -> None:
    """Create LOCK holding this process's id, taking over a stale one; _Held naming its
    holder when another living run holds it."""
    if _create(lock):
        return
    holder, content = _holder(lock)
    if holder is None:
        _take_over(lock, content)
        if _create(lock):
            return
        holder, _ = _holder(lock)
    who = f"process {holder}" if holder and holder > 0 else "just starting"
    raise _Held(
        f"Another paperfit run ({who}) is {doing}. Wait for it to finish{instead}. If no "
        f"paperfit is running, delete {lock}."
    )


def _create(lock: Path) -> bool:
    """Whether LOCK was created (holding this process's id and host) by this call."""
    try:
        handle = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(handle, f"{os.getpid()} {socket.gethostname()}\n".encode())
    except OSError:
        lock.unlink(missing_ok=True)  # a lock without its holder's id would stop every run
        raise
    finally:
        os.close(handle)
    return True


def _take_over(lock: Path, seen: bytes) -> None:
    """Delete the stale LOCK (whose content was SEEN), as one run only: the run that creates
    LOCK.takeover first reads LOCK again and deletes it only when it still holds SEEN, so two
    runs that both found it stale cannot both delete it and each create their own."""
    guard = lock.with_name(lock.name + TAKEOVER)
    try:
        handle = os.open(guard, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return  # another run is taking it over: this one finds its new lock
    os.close(handle)
    try:
        try:
            now = lock.read_bytes()
        except FileNotFoundError:
            return
        if now == seen:
            lock.unlink(missing_ok=True)
    finally:
        guard.unlink(missing_ok=True)


def _holder(lock: Path) -> tuple[int | None, bytes]:
    """The process id holding LOCK when that process still runs on this machine (else None:
    a stale lock), and the lock's content as read. A lock whose content is not a process id
    is stale once HALF_WRITTEN seconds old (younger, its run may still be writing it)."""
    try:
        content = lock.read_bytes()
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return None, b""
    pid_text, _, host = content.decode("utf-8", "replace").partition(" ")
    try:
        pid = int(pid_text)
    except ValueError:
        return (None if age > HALF_WRITTEN else -1), content
    if pid <= 0:
        return None, content  # 0 or -1 would signal a whole group: never a run's own id
    if host.strip() and host.strip() != socket.gethostname():
        return pid, content  # another machine's run: it cannot be checked, so it is respected
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return None, content
    except PermissionError:
        return pid, content  # alive, someone else's
    return pid, content


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
    """A FileSet for FOLDER: files written into a hidden temporary folder inside it (readers
    leave hidden folders out), under FOLDER's
    lock, then moved into FOLDER together (or, on any error, none of them). CHECK is called
    with each file's place in FOLDER before any is moved, and may refuse (raise)."""
    folder = Path(folder)
    with output_lock(folder):
        try:  # inside FOLDER: on its file system, so the renames never cross a mount point
            staging = Path(tempfile.mkdtemp(prefix=".paperfit-", suffix=".part", dir=folder))
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
