"""A child started with `die_with_parent` ends when the process that started it dies."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from taas_kit.children import die_with_parent

# The middle process starts a long-sleeping child, prints its pid and exits at once (as a killed pytest would).
_MIDDLE = textwrap.dedent("""
    import subprocess, sys
    from taas_kit.children import die_with_parent
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent())
    print(child.pid, flush=True)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signals are Linux only")
def test_the_child_ends_when_its_parent_dies():
    middle = subprocess.run([sys.executable, "-c", _MIDDLE], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    pid = int(middle.stdout.strip())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, 9)
        pytest.fail("the child outlived its parent")


def test_elsewhere_it_is_a_no_op(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert die_with_parent() is None
