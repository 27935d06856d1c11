"""A convention of the built `ensemble` binary for the tests: free ports, its own state
directory, and every node stopped by its pid when the test ends, however it ends."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
TEXT = "This is a multi-system test"


def ensemble_binary() -> str:
    path = os.environ.get("ENSEMBLE_BIN") or str(REPO / ".build" / "debug" / "ensemble")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"no ensemble binary at {path}: build it first (swift build), or set ENSEMBLE_BIN")
    return path


def free_port() -> int:
    """A port free for a node: it and the next one (a leader binds its PUB on port + 1), never 1900."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port in (1900, 1901) or port >= 65535:
            continue
        try:
            with socket.socket() as second:
                second.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def eventually(condition: Callable[[], bool], timeout: float = 20.0, every: float = 0.05) -> bool:
    """Whether `condition` holds before `timeout` seconds, asked again until then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


class Convention:
    """Nodes started with `ensemble start`, on free ports, in their own state directory."""

    def __init__(self, root: str):
        self.binary = ensemble_binary()
        self.state = os.path.join(root, "state")
        os.makedirs(self.state, exist_ok=True)
        self.leader_port = free_port()
        self.pids: Dict[int, int] = {}
        self.curve: Optional[str] = None

    @property
    def leader(self) -> str:
        return f"127.0.0.1:{self.leader_port}"

    def common(self, curve: Optional[str] = None) -> List[str]:
        flags = ["--leader", self.leader, "--state-dir", self.state]
        curve = curve or self.curve
        return flags + (["--curve", curve] if curve else [])

    def run(self, arguments: List[str], stdin: str = "", timeout: float = 60.0) -> subprocess.CompletedProcess:
        return subprocess.run([self.binary] + arguments, input=stdin.encode(), capture_output=True, timeout=timeout)

    def start(self, port: int, capabilities: str = "", curve: Optional[str] = None) -> int:
        arguments = ["start", str(port)] + ([capabilities] if capabilities else []) + self.common(curve)
        started = self.run(arguments)
        output = started.stdout.decode() + started.stderr.decode()
        match = re.search(r"\(pid (\d+)", output)
        if match:
            self.pids[port] = int(match.group(1))
        assert started.returncode == 0, f"ensemble start {port} failed: {output}"
        return self.pids[port]

    def status(self) -> Optional[dict]:
        result = self.run(["status", "--json"] + self.common(), timeout=30)
        return json.loads(result.stdout) if result.returncode == 0 else None

    def actors(self) -> List[dict]:
        return (self.status() or {}).get("actors", [])

    def start_walkthrough(self, curve_keys: Optional[Dict[str, str]] = None) -> List[int]:
        """The walkthrough's convention: a leader, a `morse,Caesar cipher` member and a `64bit encoder` one."""
        self.start(self.leader_port, curve=curve_keys and curve_keys["leader"])
        members = []
        for name, capabilities in (("m1", "morse,Caesar cipher"), ("m2", "64bit encoder")):
            port = free_port()
            self.start(port, capabilities, curve=curve_keys and curve_keys[name])
            members.append(port)
        joined = eventually(lambda: len((self.status() or {}).get("members", [])) == 3)
        assert joined, f"the members did not join: {self.status()}"
        return members

    def ensemble_app(self, text: str, *extra: str) -> subprocess.CompletedProcess:
        return self.run(["app"] + list(extra) + self.common(), stdin=text)

    def status_of(self, port: int) -> Optional[dict]:
        """`ensemble status --json PORT`: the convention as that node sees it; None when it does not answer."""
        result = self.run(["status", "--json", str(port), "--timeout", "2"] + self.common(), timeout=30)
        return json.loads(result.stdout) if result.returncode == 0 else None

    def python(self, command: str, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess:
        """`python -m ensemble_client COMMAND ARGUMENTS`, without the caller's ENSEMBLE_* settings."""
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("ENSEMBLE_LEADER", "ENSEMBLE_STATE_DIR", "ENSEMBLE_CURVE")}
        return subprocess.run([sys.executable, "-m", "ensemble_client", command] + list(arguments),
                              input=stdin.encode(), capture_output=True, timeout=120, env=environment)

    def python_app(self, text: str, *extra: str, curve: Optional[str] = None,
                   state_dir: Optional[str] = None) -> subprocess.CompletedProcess:
        """The Python `app` with the convention's `--leader` and (unless told another) its state
        directory, never the user's default one."""
        arguments = ["--leader", self.leader, "--state-dir", state_dir or self.state]
        return self.python("app", *(arguments + (["--curve", curve] if curve else []) + list(extra)), stdin=text)

    def stop_all(self) -> None:
        for pid in self.pids.values():
            for sig in (signal.SIGCONT, signal.SIGTERM):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        for pid in self.pids.values():
            if not eventually(lambda: not _alive(pid), timeout=10):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of ours would still answer; `ensemble start` detaches its nodes, so none is ours.
    return True


@pytest.fixture
def convention():
    with tempfile.TemporaryDirectory(prefix="ensemble-pytest-") as root:
        made = Convention(root)
        try:
            yield made
        finally:
            made.stop_all()


@pytest.fixture
def keyring(tmp_path):
    """Key directories made with `ensemble keygen` and wired as docs/operations.md says:
    node keys in every node's members/, the user's in clients/, a stranger's nowhere."""
    binary = ensemble_binary()
    names = ["leader", "m1", "m2", "user", "stranger"]
    for name in names:
        made = subprocess.run([binary, "keygen", str(tmp_path / name)], capture_output=True, timeout=30)
        assert made.returncode == 0, made.stderr.decode()
    nodes = ["leader", "m1", "m2"]
    for node in nodes:
        for member in nodes:
            (tmp_path / node / "members" / f"{member}.pub").write_bytes((tmp_path / member / "public.key").read_bytes())
        (tmp_path / node / "clients" / "user.pub").write_bytes((tmp_path / "user" / "public.key").read_bytes())
    for name in ["m1", "m2", "user", "stranger"]:
        (tmp_path / name / "leader.pub").write_bytes((tmp_path / "leader" / "public.key").read_bytes())
    return {name: str(tmp_path / name) for name in names}
