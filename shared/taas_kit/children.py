"""Child processes that must not outlive the process that started them (test and benchmark stacks)."""

import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` that has the child sent SIGTERM when this process dies (Linux); None elsewhere.

    Linux sends the signal when the thread that forked ends, so start the children from a thread that lives as
    long as they should (the main thread, as pytest's event loop and the benchmarks do).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:  # resolved before the fork: between fork and exec the child only makes the call
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the call: no signal will ever come
            os._exit(1)

    return preexec
