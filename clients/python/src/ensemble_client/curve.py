"""CurveZMQ keys from a key directory (`--curve DIR`), as the `ensemble` command reads them.

A client's directory holds its key pair (`secret.key`, `public.key`, the public key listed
in the nodes' `clients/` or `admin/`), `leader.pub` and, optionally, `nodes/HOST:PORT.pub`.
A node other than the leader has its key looked up in the leader's view (`DescribeView`,
asked over a connection authenticated with `leader.pub`) unless `nodes/` holds it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, Optional

import zmq
from zmq.utils import z85

from .errors import CurveKeyError


def read_key(path: str) -> str:
    """The Z85 key in a key file: one line besides blank lines and `#` comments."""
    try:
        with open(path, encoding="utf-8") as file:
            lines = [line.strip() for line in file.read().splitlines()]
    except OSError as error:
        raise CurveKeyError(f"{path} cannot be read: {error.strerror}") from None
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise CurveKeyError(f"{path} holds no key")
    if len(lines) > 1:
        raise CurveKeyError(f"{path} holds {len(lines)} lines besides comments; a key file holds one key")
    key = lines[0]
    try:
        if len(key) != 40 or len(z85.decode(key)) != 32:
            raise ValueError
    except (ValueError, TypeError):
        raise CurveKeyError(f"{path} is not a CurveZMQ key: expected 40 Z85 characters") from None
    return key


@dataclass
class CurveKeys:
    """A client's key pair and the public keys it knows without asking."""

    public_key: str
    secret_key: str
    leader_key: Optional[str] = None
    node_keys: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: str) -> "CurveKeys":
        keys = cls(public_key=read_key(os.path.join(directory, "public.key")),
                   secret_key=read_key(os.path.join(directory, "secret.key")))
        try:
            derived = zmq.curve_public(keys.secret_key.encode()).decode()
        except zmq.ZMQError:
            derived = None
        if derived is not None and derived != keys.public_key:
            raise CurveKeyError(f"{directory}/public.key is not the public key of {directory}/secret.key")
        leader = os.path.join(directory, "leader.pub")
        if os.path.exists(leader):
            keys.leader_key = read_key(leader)
        nodes = os.path.join(directory, "nodes")
        if os.path.isdir(nodes):
            for name in sorted(os.listdir(nodes)):
                if name.endswith(".pub"):
                    keys.node_keys[name[:-4]] = read_key(os.path.join(nodes, name))
        return keys

    def known_server_key(self, node: str, leader: str) -> Optional[str]:
        """`leader.pub` for the leader, else `nodes/HOST:PORT.pub`."""
        if node == leader and self.leader_key:
            return self.leader_key
        return self.node_keys.get(node)
