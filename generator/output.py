"""Write output files atomically: a temporary file in the same folder, then a rename.

An interrupted run leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from paperfit.errors import PaperfitError


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


def write_set(folder: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write FILES (name: content) into FOLDER as a set: every file is written to a temporary
    file first, and only when all are written are they moved into place, so a failed run
    never leaves a new file beside an old one of the same set."""
    folder = Path(folder)
    written: list[tuple[str, Path]] = []
    try:
        for name, content in files.items():
            temporary = folder / f".{name}.set.part"
            write_atomic(temporary, lambda stream, data=content: stream.write(data))
            written.append((name, temporary))
        paths = []
        for name, temporary in written:
            os.replace(temporary, folder / name)
            paths.append(folder / name)
        return paths
    except OSError as error:
        raise PaperfitError(f"Cannot write in {folder}: {error.strerror}.") from None
    finally:
        for _, temporary in written:
            temporary.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
