"""Validation of integer settings shared by the procedural scene generators."""

import numpy as np


def check_int(name: str, value, minimum: int, maximum: int | None = None, reason: str = "") -> None:
    """Raises a `TypeError` unless `value` is an int, and a `ValueError` naming the bound and the
    received value unless `minimum <= value <= maximum`."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int. Received: {name}={value!r}")
    because = f" ({reason})" if reason else ""
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}{because}. Received: {name}={value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be <= {maximum}{because}. Received: {name}={value}")
