"""`python -m ensemble_client app` against a live convention, next to `ensemble app`."""

import json
import os
import signal

import pytest

from conftest import TEXT, eventually

NON_ASCII = "Grüße aus Köln — 東京 ☃ naïve café"


def lines(result):
    return set(result.stdout.decode().splitlines())


@pytest.mark.parametrize("text", [TEXT, NON_ASCII], ids=["ascii", "non-ascii"])
def test_reports_are_those_of_ensemble_app(convention, text):
    convention.start_walkthrough()
    swift = convention.ensemble_app(text)
    assert swift.returncode == 0, swift.stderr.decode()
    python = convention.python_app(text)
    assert python.returncode == 0, python.stderr.decode()
    assert len(lines(swift)) == 4
    assert lines(python) == lines(swift)
    assert python.stderr.decode() == ""


def test_a_missing_capability_exits_2_with_the_reason(convention):
    convention.start(convention.leader_port)  # the leader alone: no encoder but Encoder can be placed
    swift = convention.ensemble_app(TEXT)
    python = convention.python_app(TEXT)
    assert (swift.returncode, python.returncode) == (2, 2), python.stderr.decode()
    assert lines(python) == lines(swift) == {f"Encoder [density=1.000]  {TEXT}"}
    said = set(python.stderr.decode().splitlines())
    assert said == set(swift.stderr.decode().splitlines())
    assert len(said) == 3
    for encoder, capability in [("Base64Encoder", "64bit encoder"), ("Rot13Encoder", "Caesar cipher"),
                                ("MorseEncoder", "morse")]:
        line = next(line for line in said if line.startswith(f"ensemble app: {encoder} could not be placed: "))
        assert capability in line
    # `python -m ensemble_client status --leader L` (clients/python/README.md) sees what
    # `ensemble status --json` sees: the leader alone, hosting the Acceptor and the Encoder.
    status = convention.python("status", "--leader", convention.leader, "--state-dir", convention.state)
    assert status.returncode == 0, status.stderr.decode()
    report = json.loads(status.stdout)
    assert f"{report['leader']['host']}:{report['leader']['port']}" == convention.leader
    assert [f"{member['node']['host']}:{member['node']['port']}" for member in report["members"]] == [convention.leader]
    assert sorted(actor["type"] for actor in report["actors"]) == ["Acceptor", "Encoder"]
    assert sorted(actor["type"] for actor in convention.actors()) == ["Acceptor", "Encoder"]


def test_a_curve_convention_refuses_it_without_keys_and_serves_it_with_them(convention, keyring):
    convention.curve = keyring["user"]
    convention.start_walkthrough(curve_keys=keyring)
    plain = convention.python_app(TEXT)
    assert plain.returncode == 1
    assert plain.stderr.decode().startswith("ensemble app: refused:"), plain.stderr.decode()
    stranger = convention.python_app(TEXT, curve=keyring["stranger"])
    assert stranger.returncode == 1
    assert "does not accept key" in stranger.stderr.decode(), stranger.stderr.decode()
    swift = convention.ensemble_app(TEXT)
    assert swift.returncode == 0, swift.stderr.decode()
    served = convention.python_app(TEXT, curve=keyring["user"])
    assert served.returncode == 0, served.stderr.decode()
    assert lines(served) == lines(swift)


def test_missing_reports_at_the_timeout_exit_3(convention):
    m1, _ = convention.start_walkthrough()
    warm = convention.python_app(TEXT)
    assert warm.returncode == 0, warm.stderr.decode()
    # Frozen, the node with the morse and Caesar encoders neither answers nor is declared
    # down within the second `app` waits (a frozen node takes about 2 s to be noticed).
    os.kill(convention.pids[m1], signal.SIGSTOP)
    try:
        late = convention.python_app(TEXT, "--timeout", "1")
    finally:
        os.kill(convention.pids[m1], signal.SIGCONT)
    assert late.returncode == 3, late.stderr.decode()
    assert late.stderr.decode().splitlines()[-1] == "ensemble app: no report from MorseEncoder, Rot13Encoder within 1 s"
    assert lines(late) == {f"Encoder [density=1.000]  {TEXT}", "Base64Encoder [density=0.750]  VGhpcyBpcyBhIG11bHRpLXN5c3RlbSB0ZXN0"}


def test_bad_input_gets_one_line_and_a_non_zero_exit(convention):
    empty = convention.python_app("   \n")
    assert (empty.returncode, empty.stderr.decode()) == (1, "ensemble app: nothing to encode: standard input is empty\n")
    nobody = convention.python_app(TEXT, "--timeout", "2")
    assert nobody.returncode == 1
    assert nobody.stderr.decode() == f"ensemble app: no leader answers at {convention.leader}\n"
    usage = convention.python_app(TEXT, "--timeout", "-1")
    assert usage.returncode == 2 and "--timeout must be 0-3600 seconds" in usage.stderr.decode()
    assert "Traceback" not in usage.stderr.decode() + nobody.stderr.decode()
