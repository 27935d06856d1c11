"""`finding`: the nodes the client tries, in the CLI's order, from temporary state directories
(no convention needed)."""

import os
import stat
import subprocess
import sys

import pytest

from conftest import eventually, free_port
from ensemble_client import candidates
from ensemble_client import finding
from ensemble_client.finding import LastView, parse_last_view, read_last_view, record_last_view

CLEAN = {}  # an environment without ENSEMBLE_LEADER, ENSEMBLE_STATE_DIR, XDG_RUNTIME_DIR


@pytest.fixture
def processes():
    """Starts stand-in processes (a live `ensemble` one, another, a dead one); kills them by pid at the end."""
    started = []

    def start(*arguments, wait=False):
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"] + list(arguments))
        started.append(process)
        # Until it has exec'd, the child's command line is still this process's.
        assert eventually(lambda: all(argument in command_line(process.pid) for argument in arguments), timeout=10)
        if wait:
            process.kill()
            process.wait()  # reaped: the pid names no process now
        return process.pid

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read().decode(errors="replace")
    except OSError:
        return ""


def pid_file(directory, port, text):
    (directory / f"{port}.pid").write_text(text)


LAST_VIEW = ("# the last view of the convention the ensemble CLI learnt: the leader, then the members\n"
             "leader 127.0.0.1:7002\nmember 127.0.0.1:7001\nmember 10.0.0.9:7003\n")


def test_the_order_is_the_leader_entries_the_live_nodes_then_the_last_view(tmp_path, processes):
    live = processes("ensemble-stand-in")
    pid_file(tmp_path, 7001, f"{live}\n")
    pid_file(tmp_path, 6999, f"{live}\n")
    (tmp_path / "last-view").write_text(LAST_VIEW)
    assert candidates("5000,host.example:5001", str(tmp_path), environ=CLEAN) == [
        "127.0.0.1:5000", "host.example:5001",  # --leader, in order
        "127.0.0.1:6999", "127.0.0.1:7001",  # live pid files, by port
        "127.0.0.1:7002", "10.0.0.9:7003",  # the last view's leader, then its members; 7001 already there
    ]


def test_leader_entries_come_from_the_argument_else_the_environment_else_the_default(tmp_path):
    environ = {"ENSEMBLE_LEADER": "127.0.0.1:4000,4001"}
    assert candidates(None, str(tmp_path), environ=environ) == ["127.0.0.1:4000", "127.0.0.1:4001"]
    assert candidates("4002", str(tmp_path), environ=environ) == ["127.0.0.1:4002"]
    assert candidates(["4003", "[::1]:4004", "4003"], str(tmp_path), environ=environ) == ["127.0.0.1:4003", "[::1]:4004"]
    assert candidates(None, str(tmp_path), environ=CLEAN) == ["127.0.0.1:1900"]


@pytest.mark.parametrize("text,message", [
    ("nowhere:", "--leader must be HOST:PORT or PORT, not 'nowhere:'"),
    ("1900,nowhere:", "--leader must be HOST:PORT or PORT, or a comma-separated list of them; 'nowhere:' is not"),
    ("1900,", "--leader must be HOST:PORT or PORT, or a comma-separated list of them; an empty entry is not"),
    ("a:b:1900", "--leader must be HOST:PORT or PORT, not 'a:b:1900'"),
    ("70000", "--leader must be HOST:PORT or PORT, not '70000'"),
])
def test_a_bad_leader_entry_is_one_line_naming_it(tmp_path, text, message):
    with pytest.raises(ValueError) as bad:
        candidates(text, str(tmp_path), environ=CLEAN)
    assert str(bad.value) == message
    with pytest.raises(ValueError) as bad:
        candidates(None, str(tmp_path), environ={"ENSEMBLE_LEADER": text})
    assert str(bad.value) == message.replace("--leader", "ENSEMBLE_LEADER")


def test_the_state_directory_is_the_first_set_and_not_empty(tmp_path):
    uid = os.getuid()
    assert finding.state_directory("/given", {"ENSEMBLE_STATE_DIR": "/env"}) == "/given"
    assert finding.state_directory(None, {"ENSEMBLE_STATE_DIR": "/env", "XDG_RUNTIME_DIR": "/run/u"}) == "/env"
    assert finding.state_directory("", {"ENSEMBLE_STATE_DIR": "", "XDG_RUNTIME_DIR": "/run/u"}) == "/run/u/ensemble"
    assert finding.state_directory(None, {"XDG_RUNTIME_DIR": ""}) == f"/tmp/ensemble-{uid}"
    # candidates() reads the one in force.
    (tmp_path / "last-view").write_text(LAST_VIEW)
    from_environment = candidates("5000", None, environ={"ENSEMBLE_STATE_DIR": str(tmp_path)})
    assert from_environment == candidates("5000", str(tmp_path), environ=CLEAN)
    assert from_environment[1] == "127.0.0.1:7002"


def test_pid_files_of_gone_foreign_or_unreadable_processes_are_skipped(tmp_path, processes):
    live = processes("ensemble-stand-in")
    pid_file(tmp_path, 7001, f"{live}\n")
    pid_file(tmp_path, 7002, f"{processes('ensemble-stand-in', wait=True)}\n")  # gone
    pid_file(tmp_path, 7003, f"{processes('something-else')}\n")  # alive, not an ensemble process
    pid_file(tmp_path, 7004, "not a pid\n")
    pid_file(tmp_path, 7005, "")
    pid_file(tmp_path, 7006, "-1\n")
    pid_file(tmp_path, 7007, "0\n")
    pid_file(tmp_path, 7008, "99999999999999999999\n")
    (tmp_path / "7009.pid").write_bytes(b"\xff\xfe\0garbage")
    pid_file(tmp_path, 7010, f"  {live} \n")  # spaces and newlines around the pid are fine
    for name in ["abc.pid", "0.pid", "70000.pid", "7012.pid.tmp", "7013.log", ".pid"]:
        (tmp_path / name).write_text(f"{live}\n")
    (tmp_path / "7014.pid").mkdir()
    os.symlink(tmp_path / "nowhere", tmp_path / "7015.pid")
    assert finding.recorded_ports(str(tmp_path)) == list(range(7001, 7011)) + [7014, 7015]
    assert finding.live_ports(str(tmp_path)) == [7001, 7010]
    assert candidates("5000", str(tmp_path), environ=CLEAN) == ["127.0.0.1:5000", "127.0.0.1:7001", "127.0.0.1:7010"]


def test_a_missing_or_unreadable_state_directory_adds_nothing(tmp_path):
    assert candidates("5000", str(tmp_path / "missing"), environ=CLEAN) == ["127.0.0.1:5000"]
    (tmp_path / "a-file").write_text("7001.pid\n")
    assert candidates("5000", str(tmp_path / "a-file"), environ=CLEAN) == ["127.0.0.1:5000"]
    (tmp_path / "last-view").mkdir()  # a directory where the file should be
    assert candidates("5000", str(tmp_path), environ=CLEAN) == ["127.0.0.1:5000"]


def test_the_last_view_reads_as_the_cli_writes_it():
    view = parse_last_view(LAST_VIEW)
    assert view == LastView("127.0.0.1:7002", ["127.0.0.1:7001", "10.0.0.9:7003"])
    assert view.addresses == ["127.0.0.1:7002", "127.0.0.1:7001", "10.0.0.9:7003"]
    assert parse_last_view(view.text) == view and view.text == LAST_VIEW
    # Blank lines, comments, CRLF, spaces; the leader and repeats dropped from the members; IPv6.
    relaxed = "\n# a comment\r\n  leader [::1]:7002  \r\n\n member  127.0.0.1:7001\nmember [::1]:7002\nmember 127.0.0.1:7001\n"
    assert parse_last_view(relaxed) == LastView("[::1]:7002", ["127.0.0.1:7001"])
    assert parse_last_view("leader host.example:1\n") == LastView("host.example:1", [])


@pytest.mark.parametrize("text", [
    "",  # no leader
    "# only a comment\n",
    "member 127.0.0.1:7001\nleader 127.0.0.1:7002\n",  # a member before the leader
    "leader 127.0.0.1:7002\nleader 127.0.0.1:7003\n",  # two leaders
    "leader 127.0.0.1:7002\nfollower 127.0.0.1:7001\n",  # an unknown word
    "leader 7002\n",  # a bare port
    "leader 127.0.0.1:0\n",  # not a port
    "leader 127.0.0.1:7002\nmember nowhere:\n",  # not an address
    "leader\t127.0.0.1:7002\n",  # not one space
    "leader 127.0.0.1:7002\nmember\n",
    "127.0.0.1:7002\n",
    "\0\0\0\xff",
])
def test_a_malformed_last_view_is_ignored_as_a_whole(tmp_path, text):
    assert parse_last_view(text) is None
    (tmp_path / "last-view").write_bytes(text.encode("utf-8", errors="surrogateescape"))
    assert read_last_view(str(tmp_path)) is None
    assert candidates("5000", str(tmp_path), environ=CLEAN) == ["127.0.0.1:5000"]


def test_finding_candidates_never_writes_the_state_directory(tmp_path, processes):
    pid_file(tmp_path, 7001, f"{processes('ensemble-stand-in')}\n")
    pid_file(tmp_path, 7002, f"{processes('ensemble-stand-in', wait=True)}\n")
    (tmp_path / "last-view").write_text(LAST_VIEW)
    before = {path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in tmp_path.iterdir()}
    candidates("5000", str(tmp_path), environ=CLEAN)
    candidates("5000", str(tmp_path / "missing"), environ=CLEAN)
    assert {path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in tmp_path.iterdir()} == before
    assert not (tmp_path / "missing").exists()


def test_a_recorded_last_view_is_the_clis_file(tmp_path):
    directory = tmp_path / "made" / "state"
    view = LastView("127.0.0.1:7002", ["127.0.0.1:7002", "127.0.0.1:7001"])
    assert record_last_view(str(directory), view)
    path = directory / "last-view"
    assert path.read_text() == ("# the last view of the convention the ensemble CLI learnt: the leader, then the members\n"
                                "leader 127.0.0.1:7002\nmember 127.0.0.1:7001\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert os.listdir(directory) == ["last-view"], "no temporary file is left"
    assert read_last_view(str(directory)) == view
    # Replaced whole; a directory that cannot be made is no error.
    assert record_last_view(str(directory), LastView("127.0.0.1:7003"))
    assert read_last_view(str(directory)) == LastView("127.0.0.1:7003")
    (tmp_path / "a-file").write_text("")
    assert not record_last_view(str(tmp_path / "a-file" / "state"), view)


def run_client(*arguments, environ=None, stdin="hello"):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("ENSEMBLE_LEADER", "ENSEMBLE_STATE_DIR", "ENSEMBLE_CURVE")}
    environment.update(environ or {})
    return subprocess.run([sys.executable, "-m", "ensemble_client"] + list(arguments), input=stdin.encode(),
                          capture_output=True, timeout=60, env=environment)


@pytest.mark.parametrize("command", ["app", "status"])
def test_bad_input_is_one_line_and_a_non_zero_exit(tmp_path, command):
    cases = [
        ([command, "--leader", "nowhere:", "--state-dir", str(tmp_path)], {},
         f"ensemble {command}: --leader must be HOST:PORT or PORT, not 'nowhere:'\n"),
        ([command, "--state-dir", str(tmp_path)], {"ENSEMBLE_LEADER": "1900,x"},
         f"ensemble {command}: ENSEMBLE_LEADER must be HOST:PORT or PORT, or a comma-separated list of them; "
         "'x' is not\n"),
        ([command, "--leader", "1900", "--timeout", "0"], {},
         f"ensemble {command}: --timeout must be 0-3600 seconds\n"),
    ]
    for arguments, environ, line in cases:
        result = run_client(*arguments, environ=environ)
        assert (result.returncode, result.stderr.decode()) == (2, line)
        assert result.stdout == b""


@pytest.mark.parametrize("command", ["app", "status"])
def test_a_state_directory_of_malformed_files_is_no_error(tmp_path, processes, command):
    pid_file(tmp_path, free_port(), f"{processes('ensemble-stand-in', wait=True)}\n")
    pid_file(tmp_path, 7004, "not a pid\n")
    (tmp_path / "last-view").write_bytes(b"member 127.0.0.1:1\n\xff\0")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    leader = f"127.0.0.1:{free_port()}"
    result = run_client(command, "--leader", leader, "--state-dir", str(tmp_path), "--timeout", "1")
    assert result.returncode == 1
    said = "no leader answers at" if command == "app" else "no node answers at"
    assert result.stderr.decode() == f"ensemble {command}: {said} {leader}\n"
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before, "left as it was"
