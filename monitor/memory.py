"""Hand freed memory back to the system after a burst of work.

glibc's malloc keeps what Python and the C libraries free (in every thread's arena) for later
use, so a daemon's resident size stays at the high-water mark of its busiest poll. `malloc_trim`
returns the free pages; elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
import ctypes.util
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_free_memory() -> bool:
    """Return malloc's free pages to the kernel; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
