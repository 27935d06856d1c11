"""The library: requests, tell, ask, names and status against a live convention."""

import time

import pytest

from conftest import TEXT, free_port
from ensemble.v2 import client_pb2, encoder_app_pb2 as app
from ensemble_client import Address, NotLeader, Refused, Timeout, Undeliverable, Unreachable, open_client


def test_create_ask_receive_and_status(convention):
    convention.start_walkthrough()
    with open_client(convention.leader) as client:
        life = client.connect()
        assert life.node == convention.leader and life.id == 0
        acceptor = client.create_actor("Acceptor", global_name="Acceptor")
        assert client.create_actor("Acceptor", global_name="Acceptor") == acceptor, "a global name is one actor"
        dispatched = client.ask(app.EncodeRequest(text=TEXT, request_id=42), acceptor, timeout=5)
        assert isinstance(dispatched, app.EncodingDispatched)
        assert dispatched.request_id == 42
        assert sorted(dispatched.encoders) == ["Base64Encoder", "Encoder", "MorseEncoder", "Rot13Encoder"]
        reports = {}
        while len(reports) < 4:
            received = client.receive(timeout=10)
            assert received.type_name == "ensemble.v2.EncodingReport"
            assert received.message.request_id == 42
            reports[received.message.encoder] = received.message.output
        assert reports["Encoder"] == TEXT
        assert reports["Rot13Encoder"] == "Guvf vf n zhygv-flfgrz grfg"
        status = client.status()
        assert isinstance(status, client_pb2.StatusReport)
        assert {f"{m.node.host}:{m.node.port}" for m in status.members if m.leader} == {convention.leader}
        assert len(status.members) == 3
        assert status.global_names["Acceptor"].id == acceptor.id
        assert {record.type for record in status.actors} >= {"Acceptor", "Encoder", "MorseEncoder"}


def test_errors_carry_the_nodes_reason(convention):
    convention.start(convention.leader_port)
    with open_client(convention.leader) as client:
        with pytest.raises(Refused) as refused:
            client.create_actor("NoSuchActor")
        assert "NoSuchActor" in str(refused.value)
        life = client.connect()
        nobody = Address(life.host, life.port, life.incarnation, 999_999)
        with pytest.raises(Undeliverable) as undeliverable:
            client.ask(app.EncodeRequest(text="x"), nobody, timeout=5)
        assert str(undeliverable.value), "a dead letter says why"
        # A reply that never comes: the encoder does not answer what it does not read.
        encoder = client.create_actor("Encoder")
        started = time.monotonic()
        with pytest.raises(Timeout):
            client.ask(app.EncodingFailed(encoder="none", reason="an encoder reads only EncodeText"), encoder,
                       timeout=0.5)
        assert time.monotonic() - started < 5


def test_a_node_that_is_not_there_is_unreachable_not_a_hang():
    port = free_port()
    with open_client(f"127.0.0.1:{port}") as client:
        started = time.monotonic()
        with pytest.raises(Unreachable) as unreachable:
            client.connect(timeout=0.5)
        assert str(unreachable.value) == f"no node answers at 127.0.0.1:{port}"
        assert time.monotonic() - started < 5


def test_the_leaders_event_stream(convention):
    members = convention.start_walkthrough()
    with open_client(convention.leader) as client:
        client.connect()
        batch = client.events()
        kind = client_pb2.ConventionEvent
        assert [event.kind for event in batch.events] == [kind.LEADER, kind.JOINED, kind.JOINED]
        assert [event.sequence for event in batch.events] == [1, 2, 3]
        assert batch.oldest == 1 and batch.latest == 3
        assert {f"{e.node.host}:{e.node.port}" for e in batch.events[1:]} == {f"127.0.0.1:{port}" for port in members}
        # Caught up: held until the next event, which a capability change makes.
        assert convention.run(["chgcap", str(members[0]), "+", "gpu"] + convention.common()).returncode == 0
        held = client.events(after=3, wait=10, timeout=5)
        assert [event.kind for event in held.events] == [kind.CAPABILITIES]
        assert "gpu" in held.events[0].capabilities
    with open_client(f"127.0.0.1:{members[0]}") as member:
        member.connect()
        with pytest.raises(NotLeader) as redirected:
            member.events()
        assert redirected.value.leader == convention.leader
