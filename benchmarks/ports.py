"""The ports `make run` serves on: free before anything starts, and the stand-in really ours.

    python -m benchmarks.ports check [--host 127.0.0.1] PORT=8000 STAND_IN_PORT=8799
    python -m benchmarks.ports wait-stand-in --port 8799 --pid 1234
    python -m benchmarks.ports probe-stand-in --port 8799

``check`` fails (exit 1), naming the port, the make variable and a free port to use
instead, when a port is taken, so that `make run` stops before building anything rather
than point the demo at whatever holds the port. ``wait-stand-in`` waits until the stand-in
started as process PID answers on its port (exit 1 if it exits or something else answers);
``probe-stand-in`` is `make refresh-demo`'s check that the stand-in answers where the demo's
accounts point.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

# The stand-in answers here with STAND_IN_IDENTITY: what refresh-demo checks it reaches.
STAND_IN_PATH = "/_renown/stand-in"
STAND_IN_IDENTITY = {"service": "renown-stand-in"}
SEARCH = 100  # how far above a taken port to look for a free one to suggest


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now (as runserver and aiohttp do:
    with SO_REUSEADDR, so a port in TIME_WAIT counts as free)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port_near(host: str, port: int, *, avoid: Sequence[int] = ()) -> int | None:
    """The first free port above ``port`` (within SEARCH), not one of ``avoid``."""
    for candidate in range(port + 1, min(port + SEARCH, 65535) + 1):
        if candidate not in avoid and port_free(host, candidate):
            return candidate
    return None


def port_problems(host: str, ports: Mapping[str, int]) -> list[str]:
    """Why `make run` cannot serve on ``ports`` ({make variable: port}); [] when it can."""
    problems = []
    seen: dict[int, str] = {}
    for name, port in ports.items():
        if not 1 <= port <= 65535:
            problems.append(f"{name}={port} is not a port (1-65535).")
            continue
        if port in seen:
            problems.append(
                f"{seen[port]} and {name} are both {port}: the server and the stand-in "
                f"provider need a port each (make run {name}=<another port>)."
            )
            continue
        seen[port] = name
        if not port_free(host, port):
            instead = free_port_near(host, port, avoid=list(ports.values()))
            hint = f"make run {name}={instead}" if instead else f"make run {name}=<a free port>"
            problems.append(
                f"Port {port} on {host} ({name}) is already in use, perhaps by another "
                f"`make run`. Stop what holds it, or choose another port: {hint}"
            )
    return problems


def stand_in_answers(port: int, *, host: str = "127.0.0.1", timeout: float = 2.0) -> bool:
    """Whether the stand-in provider (not just anything) answers on ``host:port``."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", STAND_IN_PATH)
        response = connection.getresponse()
        body = response.read(1000)
        return response.status == 200 and json.loads(body) == STAND_IN_IDENTITY
    except (OSError, http.client.HTTPException, ValueError):
        return False
    finally:
        connection.close()


def process_running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, exited but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def wait_for_stand_in(port: int, pid: int, *, timeout: float = 30.0) -> str:
    """Wait until the stand-in started as ``pid`` answers on ``port``; '' or why not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_running(pid):
            return f"The stand-in provider did not start on port {port} (see its error above)."
        if stand_in_answers(port, timeout=1.0):
            if not process_running(pid):  # another stand-in holds the port, not ours
                return f"The stand-in provider did not start on port {port}: the port is taken."
            return ""
        time.sleep(0.1)
    return f"The stand-in provider did not answer on port {port} within {timeout:g} seconds."


def _ports(pairs: Sequence[str]) -> dict[str, int]:
    ports = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        try:
            ports[name] = int(value)
        except ValueError:
            raise SystemExit(f"{name}={value!r} is not a port number (1-65535)") from None
    return ports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="fail when a port is taken")
    check.add_argument("--host", default="127.0.0.1")
    check.add_argument("ports", nargs="+", metavar="NAME=PORT")
    wait = commands.add_parser("wait-stand-in", help="wait for the stand-in to answer")
    wait.add_argument("--port", type=int, required=True)
    wait.add_argument("--pid", type=int, required=True)
    wait.add_argument("--timeout", type=float, default=30.0)
    probe = commands.add_parser("probe-stand-in", help="fail when the stand-in does not answer")
    probe.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    if args.command == "check":
        problems = port_problems(args.host, _ports(args.ports))
    elif args.command == "wait-stand-in":
        problem = wait_for_stand_in(args.port, args.pid, timeout=args.timeout)
        problems = [problem] if problem else []
    elif stand_in_answers(args.port):
        problems = []
    else:
        problems = [
            f"No stand-in provider answers on 127.0.0.1:{args.port} (STAND_IN_PORT): the "
            "demo's accounts point there. Start `make run` first; if you gave it another "
            f"STAND_IN_PORT, give refresh-demo the same: make refresh-demo STAND_IN_PORT=<it>"
        ]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
