"""The envelope test vectors of docs/protocol.md, both ways, and hostile frames refused."""

import re
from pathlib import Path

import pytest

from ensemble.v2 import encoder_app_pb2 as app
from ensemble_client import envelope as wire
from ensemble_client.envelope import Address, Envelope

PAGE = Path(__file__).resolve().parents[3] / "docs" / "protocol.md"

ENVELOPES = {
    "a client's request": Envelope(wire.CONTROL, Address("127.0.0.1", 1900, 0, 0), "ensemble.v2.PingRequest",
                                   b"", None, 0x1122334455667788),
    "a client's tell": Envelope(wire.TELL, Address("127.0.0.1", 1900, 0x1A243BDA227, 2), "ensemble.v2.EncodeRequest",
                                app.EncodeRequest(text="hi", request_id=7).SerializeToString()),
    "an actor's request to a node's first life": Envelope(
        wire.TELL, Address("10.0.0.7", 10001, 0, 0), "ensemble.v2.PingRequest", b"",
        Address("10.0.0.5", 10000, 0x18C2F3A4B51, 0), 0x0102030405060708),
}


def documented_vectors():
    vectors, lines = {}, PAGE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("vector: ") and lines[index + 1].startswith("```"):
            end = lines.index("```", index + 2)
            vectors[line[len("vector: "):]] = bytes.fromhex(" ".join(lines[index + 2:end]))
    return vectors


def test_the_page_has_every_vector():
    assert set(documented_vectors()) == set(ENVELOPES)


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_vectors_both_ways(name):
    documented = documented_vectors()[name]
    assert wire.encode(ENVELOPES[name]) == documented
    assert wire.decode_batch(documented) == [ENVELOPES[name]]


def test_a_batch_is_envelopes_back_to_back():
    frame = b"".join(documented_vectors()[name] for name in sorted(ENVELOPES))
    assert wire.decode_batch(frame) == [ENVELOPES[name] for name in sorted(ENVELOPES)]


def test_hostile_frames_are_refused():
    good = documented_vectors()["a client's tell"]
    for bad in [b"", good[:15], good[:-1] + b"", bytes([0xE4]) + good[1:], good[:1] + b"\x01" + good[2:],
                good[:2] + b"\x09" + good[3:], good[:3] + b"\x02" + good[4:], good[:4] + b"\xff\x00\x00\x00" + good[8:]]:
        if bad == good:
            continue
        with pytest.raises(wire.MalformedEnvelope):
            wire.decode_batch(bad)


def test_a_version_refusal_is_read_whatever_its_version():
    assert wire.version_refusal(bytes([0xE5, 1, 0xFF, 0]) + b"protocol version 2 is not supported") == \
        "protocol version 2 is not supported"
    assert wire.version_refusal(documented_vectors()["a client's tell"]) is None
