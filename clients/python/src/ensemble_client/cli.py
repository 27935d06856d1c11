"""What `app` and `status` share: their argument parser, the convention options, and connecting."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Dict, List, NoReturn, Optional, Tuple

from . import finding
from .client import Client, open_client
from .curve import CurveKeys


class Parser(argparse.ArgumentParser):
    """An argument parser that says bad input in one line, `ensemble COMMAND: WHY`, exit status 2."""

    def __init__(self, command: str, **kwargs):
        super().__init__(prog=f"python -m ensemble_client {command}", **kwargs)
        self.command = command

    def error(self, message: str) -> NoReturn:
        print(f"ensemble {self.command}: {message}", file=sys.stderr, flush=True)
        sys.exit(2)


def add_convention_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--leader", help="the convention leader, HOST:PORT or PORT; a comma-separated list names other "
                                         "members to try (default: $ENSEMBLE_LEADER, else 127.0.0.1:1900)")
    parser.add_argument("--state-dir", help="the state directory whose live nodes and last-view are tried after the "
                                            "leader entries (default: $ENSEMBLE_STATE_DIR, else "
                                            "$XDG_RUNTIME_DIR/ensemble, else /tmp/ensemble-$UID)")
    parser.add_argument("--curve", help="CurveZMQ key directory (default: $ENSEMBLE_CURVE; neither: plain text)")


def convention_options(parser: Parser, args) -> Tuple[List[str], str]:
    """The leader entries in force and the state directory; a usage error (one line) for bad entries."""
    try:
        leaders = finding.leader_addresses(args.leader)
    except ValueError as error:
        parser.error(str(error))
    return leaders, finding.state_directory(args.state_dir)


def node_option(parser: Parser, value: Optional[str]) -> Optional[str]:
    """The node a PORT or HOST:PORT option names (None when not given); a usage error (one line) otherwise."""
    if value is None:
        return None
    node = finding.node_address(value)
    if node is None:
        parser.error(f"'{value}' is not a PORT or HOST:PORT")
    return node


def check_timeout(parser: Parser, seconds: float) -> None:
    """A usage error (one line) for a --timeout outside 0-3600 seconds."""
    if not 0 < seconds <= 3600:
        parser.error("--timeout must be 0-3600 seconds")


def curve_keys(args) -> Optional[CurveKeys]:
    """The key directory in force, loaded; None in plain text. CurveKeyError says what is wrong."""
    directory = args.curve or os.environ.get("ENSEMBLE_CURVE") or None
    return CurveKeys.load(os.path.abspath(directory)) if directory else None


def client_for(address: str, leader: str, curve: Optional[CurveKeys], learnt: Optional[Dict[str, str]] = None) -> Client:
    """A client of `address`: over CurveZMQ its key from the key directory, else `learnt` (a
    view's), else the configured leader's view (`open_client`). Refused when none is known."""
    if curve is not None and curve.known_server_key(address, leader) is None and learnt and address in learnt:
        return Client(address, curve, learnt[address])
    return open_client(address, leader, curve)
