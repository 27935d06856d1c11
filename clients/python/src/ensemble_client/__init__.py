"""A Python client for Ensemble conventions (protocol version 2).

    from ensemble_client import open_client
    from ensemble.v2 import encoder_app_pb2 as app

    with open_client("127.0.0.1:1900") as client:
        acceptor = client.create_actor("Acceptor", global_name="Acceptor")
        dispatched = client.ask(app.EncodeRequest(text="hello", request_id=1), acceptor)
        for _ in dispatched.encoders:
            print(client.receive(timeout=5).message)
"""

from .client import Client, Received, open_client, parse_node
from .curve import CurveKeys
from .envelope import Address, Envelope
from .errors import CurveKeyError, EnsembleError, NotLeader, Refused, RemoteError, Timeout, Undeliverable, Unreachable
from .finding import Found, LastView, candidates, find_leader, read_last_view, state_directory

__all__ = [
    "Address", "Client", "CurveKeyError", "CurveKeys", "EnsembleError", "Envelope", "Found", "LastView", "NotLeader", "Received",
    "Refused", "RemoteError", "Timeout", "Undeliverable", "Unreachable", "candidates", "find_leader", "open_client",
    "parse_node", "read_last_view", "state_directory",
]
