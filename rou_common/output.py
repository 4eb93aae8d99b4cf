"""Output files written atomically, and one JSON policy.

Every file (JSON, PNG, checkpoint) is written to a unique temporary file in the target's directory and
renamed into place (``os.replace``, atomic on POSIX): a failed or killed write never replaces a good file,
and two runs writing the same path never share a temporary name.

JSON policy: numbers are written as numbers; a non-finite float (NaN, +-inf) is written as ``null``, so
every file is standard JSON (``allow_nan=False``) that any reader accepts; numpy scalars and arrays become
numbers and lists; objects with ``to_dict()`` (the package's result types) are written through it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import tempfile
from typing import Callable

import numpy as np

__all__ = ["check_output_path", "atomic_write", "to_json_value", "write_json", "json_text", "save_figure"]


def check_output_path(name: str, path) -> str:
    """The path as a string, if a file can be written there: its directory exists and is writable, and the
    path is not a directory.  Checked before a run starts, so that no work is lost to a late error."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(f"{name} must be a file path, got {path!r}")
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"{name} {path!r} is a directory; give a file path")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ValueError(f"{name} {path!r}: directory {directory!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {path!r}: directory {directory!r} is not writable")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise ValueError(f"{name} {path!r} exists and is not writable")
    return path


def atomic_write(path, write: Callable[[object], None], *, binary: bool = False) -> None:
    """Call ``write(handle)`` on a unique temporary file beside ``path``, then rename it onto ``path``.

    On any error the temporary file is removed and ``path`` is left as it was."""
    path = os.fspath(path)
    directory, base = os.path.split(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "wb" if binary else "w") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def to_json_value(value):
    """``value`` as plain JSON data under the package's policy (non-finite floats -> None)."""
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return to_json_value(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json_value(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, np.ndarray):
        return to_json_value(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_text(data, *, indent: int | None = 2) -> str:
    """The JSON text of ``data`` under the package's policy."""
    return json.dumps(to_json_value(data), indent=indent, allow_nan=False)


def write_json(path, data, *, indent: int | None = 2) -> None:
    """Write ``data`` as JSON to ``path`` atomically (the text is built before the file is touched)."""
    text = json_text(data, indent=indent) + "\n"
    atomic_write(path, lambda handle: handle.write(text))


def save_figure(figure, path, **savefig_options) -> None:
    """Save a matplotlib ``Figure`` to ``path`` atomically, in the format of the path's extension."""
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    savefig_options.setdefault("format", extension)
    atomic_write(path, lambda handle: figure.savefig(handle, **savefig_options), binary=True)
