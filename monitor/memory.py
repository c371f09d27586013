"""Hand freed memory back to the system after a burst of work.

glibc's malloc keeps what Python and the C libraries free (in every thread's arena) for later
use, so a daemon's resident size stays at the high-water mark of its busiest poll. `malloc_trim`
returns the free pages; `map_large_blocks` has the large blocks (a feed's body, a parsed feed's
pickle, numpy's arrays) mapped on their own and unmapped when freed, instead of left in the arenas
as holes. Elsewhere than glibc both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)
LARGE_BLOCK = 128 * 1024  # bytes: glibc's own initial threshold, which it otherwise raises to the largest block freed


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def release_free_memory() -> bool:
    """Return malloc's free pages to the kernel; False where the C library cannot."""
    libc = _libc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    libc.malloc_trim(0)
    return True


def map_large_blocks() -> bool:
    """Have malloc map each block of LARGE_BLOCK bytes or more on its own, and unmap it when freed, for
    good: glibc would raise its threshold to the largest mapped block freed, and keep later blocks of
    that size in its arenas, where they leave holes among live ones when freed. The process and those it
    forks later; False where the C library cannot."""
    libc = _libc()
    return libc is not None and hasattr(libc, "mallopt") and bool(libc.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK))
