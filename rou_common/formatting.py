"""One number formatter for tables: a value with its standard error (or error estimate)."""
from __future__ import annotations

import math

__all__ = ["format_value"]


def format_value(value, stderr=None, *, digits: int = 6) -> str:
    """"-" for None, ``value`` to ``digits`` significant digits, and "+- s.e." (2 digits) when given.

    Non-finite numbers print as "nan" / "inf" (never hidden)."""
    if value is None:
        return "-"
    text = f"{float(value):.{digits}g}" if math.isfinite(float(value)) else str(float(value))
    if stderr is None:
        return text
    return f"{text} +- {float(stderr):.2g}"
