"""docs/protocol.md's evolution rules with the Python runtime: the same bytes as the Swift
test (SchemaEvolutionTests), so both sides read newer and older messages alike."""

from ensemble.v2 import encoder_app_pb2 as app

CURRENT = bytes([0x0A, 0x02, 0x68, 0x69, 0x10, 0x07])
NEWER = CURRENT + bytes([0x1A, 0x02, 0x64, 0x65, 0x4A, 0x03, 0x01, 0xAC, 0x02])
OLDER = bytes([0x0A, 0x02, 0x68, 0x69])


def test_this_schema_writes_the_documented_bytes():
    assert app.EncodeRequest(text="hi", request_id=7).SerializeToString() == CURRENT


def test_a_newer_message_is_read_and_its_new_fields_kept():
    request = app.EncodeRequest.FromString(NEWER)
    assert (request.text, request.request_id) == ("hi", 7)
    assert request.SerializeToString() == NEWER


def test_an_older_message_reads_the_missing_field_as_zero():
    request = app.EncodeRequest.FromString(OLDER)
    assert (request.text, request.request_id) == ("hi", 0)
