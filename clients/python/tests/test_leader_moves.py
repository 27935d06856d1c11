"""The node at the `--leader` address is gone and another leads: the Python client finds the
convention through the state directory's live nodes and its last view, as `ensemble` does."""

import json
import os
import shutil
import signal

from conftest import TEXT, _alive, eventually

from ensemble_client.finding import LastView, read_last_view


def lines(result):
    return set(result.stdout.decode().splitlines())


def new_leader(convention, ports, old):
    """The leader the remaining nodes agree on once the old one has left their view; else None."""
    leaders = set()
    for port in ports:
        status = convention.status_of(port)
        if status is None or not status.get("leader"):
            return None
        if any(member["address"] == old for member in status["members"]):
            return None
        leaders.add(status["leader"].split("@")[0])
    return leaders.pop() if len(leaders) == 1 and leaders <= {f"127.0.0.1:{port}" for port in ports} else None


def test_app_and_status_find_the_new_leader_when_the_leader_address_is_gone(convention, tmp_path):
    m1, m2 = convention.start_walkthrough()
    warm = convention.python_app(TEXT)
    assert warm.returncode == 0, warm.stderr.decode()
    reports = lines(warm)
    assert len(reports) == 4

    # kill -9 the node at the --leader address: its pid file stays, naming a process that is gone.
    old = convention.leader
    pid = convention.pids[convention.leader_port]
    os.kill(pid, signal.SIGKILL)
    assert eventually(lambda: not _alive(pid), timeout=10)
    assert os.path.exists(os.path.join(convention.state, f"{convention.leader_port}.pid"))
    found = {}

    def elected():
        found["leader"] = new_leader(convention, (m1, m2), old)
        return found["leader"] is not None

    assert eventually(elected, timeout=60), "no new leader was elected"
    leader = found["leader"]
    assert leader != old

    # Without the state directory, the --leader address is all there is.
    empty = tmp_path / "empty"
    empty.mkdir()
    alone = convention.python_app(TEXT, "--timeout", "2", state_dir=str(empty))
    assert (alone.returncode, alone.stderr.decode()) == (1, f"ensemble app: no leader answers at {old}\n")

    # The convention's state directory: the dead leader's pid file, the live members' (and the
    # last view `ensemble status` recorded there).
    through_state = convention.python_app(TEXT, "--timeout", "20")
    assert through_state.returncode == 0, through_state.stderr.decode()
    assert lines(through_state) == reports

    # Only the pid files: the live nodes are tried after the --leader address.
    pids = tmp_path / "pids"
    pids.mkdir()
    for name in os.listdir(convention.state):
        if name.endswith(".pid"):
            shutil.copy(os.path.join(convention.state, name), pids / name)
    through_pids = convention.python_app(TEXT, "--timeout", "20", state_dir=str(pids))
    assert through_pids.returncode == 0, through_pids.stderr.decode()
    assert lines(through_pids) == reports
    assert sorted(os.listdir(pids)) == sorted(name for name in os.listdir(convention.state) if name.endswith(".pid")), \
        "app writes nothing into the state directory"

    # Only a last view, naming the old leader first: its members are tried in turn.
    view = tmp_path / "view"
    view.mkdir()
    (view / "last-view").write_text(LastView(old, [f"127.0.0.1:{m1}", f"127.0.0.1:{m2}"]).text)
    through_view = convention.python_app(TEXT, "--timeout", "20", state_dir=str(view))
    assert through_view.returncode == 0, through_view.stderr.decode()
    assert lines(through_view) == reports

    # status asks the leader the first view names, and records that view as ensemble status does.
    status = convention.python("status", "--leader", old, "--state-dir", str(pids), "--timeout", "10")
    assert status.returncode == 0, status.stderr.decode()
    report = json.loads(status.stdout)
    assert f"{report['node']['host']}:{report['node']['port']}" == leader
    assert f"{report['leader']['host']}:{report['leader']['port']}" == leader
    recorded = read_last_view(str(pids))
    assert recorded is not None and recorded.leader == leader
    assert set(recorded.addresses) == {f"127.0.0.1:{m1}", f"127.0.0.1:{m2}"}
