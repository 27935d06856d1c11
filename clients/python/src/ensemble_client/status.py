"""`python -m ensemble_client status`: the convention as a node sees it, as JSON
(the fields of ensemble.v2.StatusReport, in protobuf's JSON mapping).

Without NODE it asks the current leader, found as `ensemble status` finds it: the leader
entries, the state directory's live nodes and its last view are asked for their view, and the
first view's leader is asked (then the node whose view named it); the view learnt is recorded
as the state directory's `last-view`, as `ensemble status` records it. When none has a view,
the leader entries are asked in order until one answers.
"""

from __future__ import annotations

import sys
from typing import Dict, List, Optional

from google.protobuf import json_format

from . import finding
from .cli import (Parser, add_convention_options, check_timeout, client_for, convention_options, curve_keys,
                  node_option)
from .errors import CurveKeyError, EnsembleError, Timeout, Unreachable


def say(line: str) -> None:
    print(f"ensemble status: {line}", file=sys.stderr, flush=True)


def ask(targets: List[str], leader: str, curve, timeout: float, learnt: Optional[Dict[str, str]] = None):
    """The status report of the first of `targets` that answers; EnsembleError with the line to
    say otherwise (a refusal or an error ends the tries; silence moves on to the next)."""
    unusable: Optional[str] = None
    for target in targets:
        try:
            client = client_for(target, leader, curve, learnt)
        except EnsembleError as error:
            if len(targets) == 1:
                raise
            unusable = unusable or str(error)
            continue
        with client:
            try:
                client.connect(timeout=min(timeout, 2.0))
                return client.status(timeout)
            except (Unreachable, Timeout):
                if len(targets) == 1:
                    raise Unreachable(f"no node answers at {target}") from None
                continue
    raise Unreachable(f"no node answers at {', '.join(targets)}" + (f" ({unusable})" if unusable else ""))


def main(argv: Optional[List[str]] = None) -> int:
    parser = Parser("status", description=__doc__.splitlines()[0])
    parser.add_argument("port", nargs="?", help="the node to ask (PORT or HOST:PORT; default: the leader)")
    add_convention_options(parser)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait (default 10)")
    args = parser.parse_args(argv)
    leaders, state_dir = convention_options(parser, args)
    node = node_option(parser, args.port)
    check_timeout(parser, args.timeout)
    try:
        curve = curve_keys(args)
        targets, learnt = [node], {}
        if node is None:
            candidates = finding.ordered(leaders, finding.live_ports(state_dir), finding.read_last_view(state_dir))
            found = finding.find_leader(candidates, leaders[0], curve, budget=min(args.timeout, 4.0),
                                        record_in=state_dir)
            if found is None:
                targets = leaders
            else:
                targets = [found.leader] if found.source == found.leader else [found.leader, found.source]
                learnt = found.member_keys
        report = ask(targets, leaders[0], curve, args.timeout, learnt)
    except (CurveKeyError, EnsembleError) as error:
        say(str(error))
        return 1
    print(json_format.MessageToJson(report, preserving_proto_field_name=True, sort_keys=True))
    return 0
