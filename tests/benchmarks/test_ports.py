"""`make run`'s ports (benchmarks/ports.py): a taken port stops it, clearly, before anything."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from benchmarks import ports
from benchmarks.fake_provider import serve_in_thread


@contextmanager
def occupied() -> Iterator[int]:
    """A port something else listens on (not the stand-in)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_module(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_a_taken_stand_in_port_is_named_with_its_variable_and_a_free_one() -> None:
    with occupied() as taken:
        problems = ports.port_problems("127.0.0.1", {"PORT": free_port(), "STAND_IN_PORT": taken})
    assert len(problems) == 1
    assert f"Port {taken} on 127.0.0.1 (STAND_IN_PORT) is already in use" in problems[0]
    assert "make run STAND_IN_PORT=" in problems[0]
    suggested = int(problems[0].rsplit("STAND_IN_PORT=", 1)[1])
    assert suggested != taken


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"PORT": 8100, "STAND_IN_PORT": 8100}, "PORT and STAND_IN_PORT are both 8100"),
        ({"PORT": 0}, "PORT=0 is not a port"),
        ({"STAND_IN_PORT": 70000}, "STAND_IN_PORT=70000 is not a port"),
    ],
)
def test_impossible_ports_are_refused(given: dict[str, int], expected: str) -> None:
    assert any(expected in problem for problem in ports.port_problems("127.0.0.1", given))


def test_the_check_command_fails_on_a_taken_port_and_passes_on_free_ones() -> None:
    with occupied() as taken:
        result = run_module(
            "-m", "benchmarks.ports", "check", f"PORT={free_port()}", f"STAND_IN_PORT={taken}"
        )
    assert result.returncode == 1
    assert f"Port {taken} on 127.0.0.1 (STAND_IN_PORT) is already in use" in result.stderr
    assert "Traceback" not in result.stderr
    ok = run_module("-m", "benchmarks.ports", "check", f"PORT={free_port()}")
    assert (ok.returncode, ok.stderr) == (0, "")


def test_the_stand_in_on_a_taken_port_exits_clearly_without_a_traceback() -> None:
    with occupied() as taken:
        result = run_module("-m", "benchmarks.fake_provider", "--port", str(taken))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{taken}" in result.stderr
    assert "make run STAND_IN_PORT=" in result.stderr
    assert "Traceback" not in result.stderr


def test_only_the_stand_in_counts_as_the_stand_in() -> None:
    with serve_in_thread() as base:
        assert ports.stand_in_answers(int(base.rsplit(":", 1)[1]))
    with occupied() as taken:  # listens, never answers
        assert not ports.stand_in_answers(taken, timeout=0.5)
    assert not ports.stand_in_answers(free_port())


def test_probe_tells_refresh_demo_where_the_stand_in_is_missing() -> None:
    result = run_module("-m", "benchmarks.ports", "probe-stand-in", "--port", str(free_port()))
    assert result.returncode == 1
    assert "No stand-in provider answers on 127.0.0.1:" in result.stderr
    assert "make refresh-demo STAND_IN_PORT=" in result.stderr


def test_waiting_for_a_stand_in_that_exited_fails() -> None:
    with occupied() as taken:
        stand_in = subprocess.Popen(  # it cannot bind, and exits
            [sys.executable, "-m", "benchmarks.fake_provider", "--port", str(taken)],
            stderr=subprocess.DEVNULL,
        )
        try:
            problem = ports.wait_for_stand_in(taken, stand_in.pid, timeout=60)
        finally:
            stand_in.wait(60)
    assert problem == f"The stand-in provider did not start on port {taken} (see its error above)."


def test_waiting_for_a_stand_in_that_starts_succeeds() -> None:
    port = free_port()
    stand_in = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.fake_provider", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        assert ports.wait_for_stand_in(port, stand_in.pid, timeout=60) == ""
    finally:
        stand_in.terminate()
        stand_in.wait(60)
