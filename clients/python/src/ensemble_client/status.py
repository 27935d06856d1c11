"""`python -m ensemble_client status`: the convention as a node sees it, as JSON
(the fields of ensemble.v2.StatusReport, in protobuf's JSON mapping)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from google.protobuf import json_format

from .client import open_client, parse_node
from .curve import CurveKeys
from .errors import CurveKeyError, EnsembleError


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ensemble_client status", description=__doc__.splitlines()[0])
    parser.add_argument("port", nargs="?", help="the node to ask (PORT or HOST:PORT; default: the leader)")
    parser.add_argument("--leader", help="HOST:PORT or PORT (default: $ENSEMBLE_LEADER, else 127.0.0.1:1900)")
    parser.add_argument("--curve", help="CurveZMQ key directory (default: $ENSEMBLE_CURVE)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait (default 10)")
    args = parser.parse_args(argv)
    try:
        leader = "%s:%d" % parse_node((args.leader or os.environ.get("ENSEMBLE_LEADER") or "1900").split(",")[0])
        target = "%s:%d" % parse_node(args.port) if args.port else leader
    except ValueError as error:
        parser.error(str(error))
    curve_dir = args.curve or os.environ.get("ENSEMBLE_CURVE") or None
    try:
        curve = CurveKeys.load(os.path.abspath(curve_dir)) if curve_dir else None
        with open_client(target, leader, curve) as client:
            report = client.status(args.timeout)
    except (CurveKeyError, EnsembleError) as error:
        print(f"ensemble status: {error}", file=sys.stderr)
        return 1
    print(json_format.MessageToJson(report, preserving_proto_field_name=True, sort_keys=True))
    return 0
