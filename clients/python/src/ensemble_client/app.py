"""`python -m ensemble_client app`: the walkthrough's `ensemble app`, in Python.

Reads standard input, asks the Acceptor (global name "Acceptor") to encode it, and prints
one line per encoder as reports arrive: `<Encoder> [density=<D>]  <output>`. Exit status:
0 when every report came, 2 when some encoders could not be placed (said on standard
error), 3 at the timeout (missing reports said), 1 on any other error.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Dict, List, Optional, Set, Tuple

from . import finding, messages
from .cli import (Parser, add_convention_options, check_timeout, client_for, convention_options, curve_keys,
                  node_option)
from .client import Client
from .curve import CurveKeys
from .errors import CurveKeyError, EnsembleError, Refused, RemoteError, Timeout, Unreachable

from ensemble.v2 import encoder_app_pb2 as app

ENCODERS = ["Encoder", "Base64Encoder", "Rot13Encoder", "MorseEncoder"]
DISPATCH_WAIT = 1.0  # doubled for each sending after the first, up to 16 s


def format_density(report) -> str:
    """Three decimals, or n/a when the report has none (as `ensemble app` prints it)."""
    if not report.HasField("density") or not report.density >= 0 or report.density == float("inf"):
        return "n/a"
    if report.density >= 1e12:
        return repr(report.density)
    thousandths = int(round(report.density * 1000))
    return f"{thousandths // 1000}.{thousandths % 1000:03d}"


def report_line(report) -> str:
    return f"{report.encoder} [density={format_density(report)}]  {report.output}"


def say(line: str) -> None:
    print(f"ensemble app: {line}", file=sys.stderr, flush=True)


def seconds_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class Run:
    """One `app` run against one gateway."""

    def __init__(self, client: Client, text: str, deadline: float):
        self.client, self.text, self.deadline = client, text, deadline
        self.first_id = int.from_bytes(os.urandom(8), "little") >> 2 or 1
        self.sendings = 0
        self.expected: Optional[Set[str]] = None
        self.unplaced: List = []
        self.reported: Set[str] = set()
        self.failed: Set[str] = set()
        self.lost: Set[str] = set()

    @property
    def current_id(self) -> int:
        return self.first_id + self.sendings

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def send(self) -> Optional[int]:
        """Asks the Acceptor until it says which encoders will report; an exit status to stop with, else None."""
        while True:
            self.sendings += 1
            wait = DISPATCH_WAIT * (1 << max(min(self.sendings, 5) - 1, 0))
            try:
                acceptor = self.client.create_actor("Acceptor", "Acceptor", timeout=max(self.left(), 0.001))
                answer = self.client.ask(app.EncodeRequest(text=self.text, request_id=self.current_id), acceptor,
                                         timeout=max(min(wait, self.left()), 0.001))
            except Timeout:
                if self.left() > 0.1:
                    continue
                return None
            except (Refused, Unreachable) as error:
                say(f"cannot reach the Acceptor through {self.client.gateway}: {error}")
                return 1
            except RemoteError as error:
                say(f"the Acceptor failed on the request: {error}")
                return 1
            except EnsembleError as error:
                say(f"cannot reach the Acceptor through {self.client.gateway}: {error}")
                return 1
            if isinstance(answer, app.EncodingDispatched):
                return self.dispatched(answer)
            return None

    def dispatched(self, notice) -> Optional[int]:
        if notice.request_id not in (0, self.current_id):
            return None
        self.expected = set(notice.encoders)
        known = {entry.encoder for entry in self.unplaced}
        now_unplaced = {entry.encoder for entry in notice.unplaced}
        self.unplaced = list(notice.unplaced) + [
            entry for entry in self.unplaced if entry.encoder in self.lost and entry.encoder not in now_unplaced]
        for entry in notice.unplaced:
            if entry.encoder not in known:
                say(f"{entry.encoder} could not be placed: {entry.reason}")
        return self.finished()

    def finished(self) -> Optional[int]:
        if self.expected is not None and self.expected <= self.reported | self.failed | self.lost:
            return 1 if self.failed else 0 if not self.unplaced else 2
        return None

    def handle(self, received) -> Optional[int]:
        message = received.message
        if isinstance(message, app.EncodingDispatched):
            return self.dispatched(message)
        if isinstance(message, app.EncodingReport):
            if message.encoder not in self.reported:
                self.reported.add(message.encoder)
                print(report_line(message), flush=True)
        elif isinstance(message, app.EncodingUnplaced):
            if message.unplaced.encoder not in self.lost:
                self.lost.add(message.unplaced.encoder)
                self.unplaced.append(message.unplaced)
                say(f"{message.unplaced.encoder} could not be placed: {message.unplaced.reason}")
        elif isinstance(message, app.EncodingFailed):
            if message.encoder not in self.failed:
                self.failed.add(message.encoder)
                say(f"{message.encoder} failed: {message.reason}")
        elif received.type_name == "ensemble.v2.PoisonMessage" and message is not None:
            say(f"the Acceptor failed on the request: {message.details}")
            return 1
        elif received.type_name == "ensemble.v2.DeadLetter" and message is not None:
            original = messages.decode(message.original_type, message.original_payload)
            if isinstance(original, app.EncodeRequest) and original.request_id == self.current_id:
                # The Acceptor's node is gone; its name is free again once the convention knows.
                time.sleep(max(min(0.05 * min(self.sendings, 10), self.left()), 0))
                code = self.send()
                if code is not None:
                    return code
        return self.finished()

    def go(self, timeout: float) -> int:
        code = self.send()
        if code is not None:
            return code
        while self.left() > 0:
            try:
                received = self.client.receive(self.left())
            except Timeout:
                break
            except EnsembleError as error:
                say(str(error))
                return 1
            code = self.handle(received)
            if code is not None:
                return code
        missing = sorted((self.expected if self.expected is not None else set(ENCODERS))
                         - self.reported - self.failed - self.lost)
        say(f"no report from {', '.join(missing)} within {seconds_text(timeout)} s")
        return 3


def gateways(leaders: List[str], via: Optional[str], state_dir: str) -> Tuple[List[str], List[str]]:
    """The nodes to enter through, in order, and those of them the user named: `via`, then the
    leader entries; then the state directory's live nodes and its last view's leader and
    members (`finding.ordered`), as `ensemble app` does."""
    named = [] if via is None else [via]
    named += [address for address in leaders if address not in named]
    return finding.ordered(named, finding.live_ports(state_dir), finding.read_last_view(state_dir)), named


def silence_line(named: List[str], via: bool) -> str:
    """What to say when no gateway answers: the gateways the user named, whatever else was tried."""
    if len(named) == 1:
        return f"no {'node' if via else 'leader'} answers at {named[0]}"
    return f"no node answers at {', '.join(named)}"


def connect(addresses: List[str], leader: str, curve: Optional[CurveKeys], via: bool,
            named: Optional[List[str]] = None) -> Client:
    """A client of the first of `addresses` that answers (a ping within 2 s; one that refuses the
    connection is passed over at once, unless it is the last); Refused or Unreachable with the
    line to say. Over CurveZMQ, a gateway after the first whose key is neither in the key
    directory nor in a view of the others is passed over."""
    named = addresses if named is None else named
    learnt: Optional[Dict[str, str]] = None
    for index, address in enumerate(addresses):
        last = index == len(addresses) - 1
        try:
            if curve is not None and index > 0 and curve.known_server_key(address, leader) is None:
                if learnt is None:
                    found = finding.find_leader(addresses, leader, curve, budget=3.0)
                    learnt = found.member_keys if found is not None else {}
                if address not in learnt:
                    continue
            client = client_for(address, leader, curve, learnt)
        except Refused:
            if index == 0:
                raise
            continue
        try:
            client.connect(timeout=2.0, give_up_when_refused=not last)
            return client
        except Unreachable:
            client.close()
        except EnsembleError:
            client.close()
            raise
    raise Unreachable(silence_line(named, via))


def main(argv: Optional[List[str]] = None) -> int:
    parser = Parser("app", description=__doc__.splitlines()[0])
    add_convention_options(parser)
    parser.add_argument("--via", help="enter through this node instead of the leader (PORT or HOST:PORT)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for all reports (default 5)")
    args = parser.parse_args(argv)
    leaders, state_dir = convention_options(parser, args)
    via = node_option(parser, args.via)
    check_timeout(parser, args.timeout)
    addresses, named = gateways(leaders, via, state_dir)
    text = sys.stdin.buffer.read().decode("utf-8", errors="replace").strip()
    if not text:
        say("nothing to encode: standard input is empty")
        return 1
    try:
        curve = curve_keys(args)
        client = connect(addresses, leaders[0], curve, via=via is not None, named=named)
    except (CurveKeyError, EnsembleError) as error:
        say(str(error))
        return 1
    with client:
        return Run(client, text, time.monotonic() + args.timeout).go(args.timeout)
