"""Finding the convention's nodes, as the `ensemble` CLI does (docs/cli.md, "Finding the leader").

The leader is elected and can move, so a client that knows only the `--leader` address loses
the convention when that node goes. Like the CLI, this client tries, in order, duplicates
dropped (the first place kept):

1. the `--leader` entries (a comma-separated list), else `$ENSEMBLE_LEADER`, else 127.0.0.1:1900;
2. the live nodes the state directory records (`PORT.pid`, as `127.0.0.1:PORT`, by port);
3. the leader, then the members, of the state directory's `last-view`.

The state directory is `--state-dir`, else `$ENSEMBLE_STATE_DIR`, else `$XDG_RUNTIME_DIR/ensemble`,
else `/tmp/ensemble-UID` (the first set and not empty). A pid file counts while its process is
alive and is an `ensemble` process (as `StateDirectory.livePID`); one whose process is gone, or
that does not hold a pid, is skipped. A `last-view` that does not read as one is ignored as a whole.
Nothing here fails on what the directory holds: a file that cannot be read is no candidate.

Addresses are strings, `HOST:PORT` (`[V6]:PORT` for IPv6), as the CLI prints them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Iterable, List, Mapping, Optional, Sequence, Union

DEFAULT_LEADER = "127.0.0.1:1900"
LAST_VIEW = "last-view"
_SMALL_FILE = 65536  # the CLI reads a state file's first 64 KiB
_COMMENT = "# the last view of the convention the ensemble CLI learnt: the leader, then the members"


# Addresses


def _port(text: str) -> Optional[int]:
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= 65535 else None


def format_address(host: str, port: int) -> str:
    """`HOST:PORT`, with an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def node_address(text: str, default_host: str = "127.0.0.1") -> Optional[str]:
    """`PORT` (on `default_host`), `HOST:PORT` or `[V6]:PORT` as `HOST:PORT`; None when it is
    none of them (the CLI's `NodeAddress(parsing:)`)."""
    text = text.strip()
    port = _port(text)
    if port is not None:
        return format_address(default_host, port)
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            return None
        host, rest = text[1:close], text[close + 1:]
        port = _port(rest[1:]) if rest.startswith(":") else None
        if port is None or not host or len(host.encode()) > 255:
            return None
        return format_address(host, port)
    host, colon, rest = text.rpartition(":")
    port = _port(rest) if colon else None
    if port is None or not host or ":" in host or len(host.encode()) > 255:
        return None
    return format_address(host, port)


def parse_leaders(text: str, source: str = "--leader") -> List[str]:
    """A comma-separated list of node addresses, in order, later duplicates dropped. ValueError
    naming `source` and the first bad entry (an empty one too) otherwise, as the CLI says it."""
    addresses: List[str] = []
    for entry in text.split(","):
        address = node_address(entry)
        if address is None:
            if "," not in text:
                raise ValueError(f"{source} must be HOST:PORT or PORT, not '{text}'")
            named = "an empty entry" if not entry.strip() else f"'{entry}'"
            raise ValueError(f"{source} must be HOST:PORT or PORT, or a comma-separated list of them; {named} is not")
        if address not in addresses:
            addresses.append(address)
    return addresses


def leader_addresses(leader: Union[str, Sequence[str], None] = None,
                     environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """The leader entries in force: `leader` (a comma-separated string or a list of addresses),
    else `$ENSEMBLE_LEADER`, else 127.0.0.1:1900. ValueError for one that is not an address."""
    environ = os.environ if environ is None else environ
    if leader is None:
        text = environ.get("ENSEMBLE_LEADER")
        return parse_leaders(text, "ENSEMBLE_LEADER") if text is not None else [DEFAULT_LEADER]
    if isinstance(leader, str):
        return parse_leaders(leader)
    return parse_leaders(",".join(leader))


# The state directory


def state_directory(state_dir: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    """`state_dir`, else `$ENSEMBLE_STATE_DIR`, else `$XDG_RUNTIME_DIR/ensemble`, else
    `/tmp/ensemble-UID`: the first that is set and not empty."""
    environ = os.environ if environ is None else environ
    if state_dir:
        return state_dir
    if environ.get("ENSEMBLE_STATE_DIR"):
        return environ["ENSEMBLE_STATE_DIR"]
    if environ.get("XDG_RUNTIME_DIR"):
        return environ["XDG_RUNTIME_DIR"] + "/ensemble"
    return f"/tmp/ensemble-{os.getuid()}"


def _read_small_file(path: str) -> Optional[str]:
    """A file's first 64 KiB as text (NULs as spaces, bad UTF-8 replaced), or None."""
    try:
        with open(path, "rb") as file:
            data = file.read(_SMALL_FILE)
    except (OSError, ValueError):
        return None
    return data.replace(b"\0", b" ").decode("utf-8", errors="replace")


def recorded_ports(state_dir: str) -> List[int]:
    """Every port with a `PORT.pid` file in `state_dir`, in order; none when it cannot be read."""
    try:
        names = os.listdir(state_dir)
    except (OSError, ValueError):
        return []
    return sorted(port for port in (_port(name[:-4]) for name in names if name.endswith(".pid")) if port is not None)


def recorded_pid(state_dir: str, port: int) -> Optional[int]:
    """The pid `PORT.pid` holds, if it holds a number."""
    text = _read_small_file(os.path.join(state_dir, f"{port}.pid"))
    if text is None:
        return None
    text = text.strip(" \n")
    try:
        return int(text) if text.lstrip("+-").isdigit() and text.isascii() else None
    except ValueError:
        return None


def _is_ensemble(pid: int) -> bool:
    command_line = _read_small_file(f"/proc/{pid}/cmdline")
    if command_line is None:
        # Without /proc (not Linux) the process's name cannot be read: being alive is all there is.
        return not os.path.isdir("/proc/self")
    return "ensemble" in command_line


def live_pid(state_dir: str, port: int) -> Optional[int]:
    """The pid recorded for `port` if that process is alive and is an `ensemble` process."""
    pid = recorded_pid(state_dir, port)
    if pid is None or not 0 < pid < 2 ** 31:
        return None
    try:
        os.kill(pid, 0)
    except PermissionError:
        pass  # alive, another user's
    except (OSError, OverflowError):
        return None
    return pid if _is_ensemble(pid) else None


def live_ports(state_dir: str) -> List[int]:
    """The ports `state_dir` records whose node is alive, in order."""
    return [port for port in recorded_ports(state_dir) if live_pid(state_dir, port) is not None]


# The last view


@dataclass(frozen=True)
class LastView:
    """A view of the convention: its leader, then its other members in view order."""

    leader: str
    members: List[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        seen = {self.leader}
        kept = []
        for member in self.members:
            if member not in seen:
                seen.add(member)
                kept.append(member)
        object.__setattr__(self, "members", kept)

    @property
    def addresses(self) -> List[str]:
        """The leader, then the members."""
        return [self.leader] + self.members

    @property
    def text(self) -> str:
        """The `last-view` file's text."""
        return "\n".join([_COMMENT, f"leader {self.leader}"] + [f"member {m}" for m in self.members]) + "\n"


def parse_last_view(text: str) -> Optional[LastView]:
    """A `last-view` file's text as a LastView; None when it does not read as one (no leader
    line first, a line that is neither a comment nor an entry, an entry that is not HOST:PORT)."""
    leader: Optional[str] = None
    members: List[str] = []
    for raw in text.split("\n"):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        parts = line.split(" ", 1)
        # Bare ports are not written, and would mean 127.0.0.1: only HOST:PORT counts.
        address = node_address(parts[1]) if len(parts) == 2 and ":" in parts[1] else None
        if address is None:
            return None
        if parts[0] == "leader" and leader is None:
            leader = address
        elif parts[0] == "member" and leader is not None:
            members.append(address)
        else:
            return None
    return LastView(leader, members) if leader is not None else None


def read_last_view(state_dir: str) -> Optional[LastView]:
    """The last view `state_dir` records; None when there is none or it does not read as one."""
    text = _read_small_file(os.path.join(state_dir, LAST_VIEW))
    return parse_last_view(text) if text is not None else None


def record_last_view(state_dir: str, view: LastView) -> bool:
    """Writes `view` as `state_dir`'s `last-view` as the CLI does: a file of this process's own
    (mode 0600), then a rename, so a reader never sees half of it; the directory made (mode
    0700) if missing. A cache: whether it was written, never an exception."""
    path = os.path.join(state_dir, LAST_VIEW)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except (OSError, ValueError):
        return False
    try:
        data = view.text.encode()
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.rename(temporary, path)
        return True
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False


# The candidates


def ordered(leaders: Iterable[str], ports: Iterable[int], last_view: Optional[LastView]) -> List[str]:
    """`leaders`, then `ports` on 127.0.0.1, then `last_view`'s leader and members; duplicates
    dropped, the first place kept (the CLI's `LeaderCandidates.ordered`)."""
    listed: List[str] = []
    for address in (list(leaders) + [format_address("127.0.0.1", port) for port in ports]
                    + (last_view.addresses if last_view is not None else [])):
        if address not in listed:
            listed.append(address)
    return listed


def candidates(leader: Union[str, Sequence[str], None] = None, state_dir: Optional[str] = None,
               environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """The nodes to try, in order, to reach the convention: the leader entries (`leader`, else
    `$ENSEMBLE_LEADER`, else 127.0.0.1:1900), the state directory's live nodes (`state_dir`, else
    `$ENSEMBLE_STATE_DIR`, ...), then its last view's leader and members; duplicates dropped.
    ValueError (one line) when the leader entries are not addresses."""
    leaders = leader_addresses(leader, environ)
    directory = state_directory(state_dir, environ)
    return ordered(leaders, live_ports(directory), read_last_view(directory))


# Asking them


@dataclass(frozen=True)
class Found:
    """What asking the candidates learnt: the leader as the first view named it, the node that
    answered with that view, and the view (an ensemble.v2.ViewSnapshot)."""

    leader: str
    source: str
    view: object

    @property
    def members(self) -> List[str]:
        return view_members(self.view)

    @property
    def member_keys(self) -> dict:
        """The members' CurveZMQ public keys as the view lists them."""
        return {format_address(m.node.host, m.node.port): m.public_key
                for m in self.view.members if m.public_key and _wire_address(m.node) is not None}


def _wire_address(node) -> Optional[str]:
    host, port = node.host, node.port
    if not host or len(host.encode()) > 255 or not 1 <= port <= 65535:
        return None
    return format_address(host, port)


def view_members(view) -> List[str]:
    """The members' addresses a view lists, in its order."""
    return [address for address in (_wire_address(m.node) for m in view.members) if address is not None]


def find_leader(addresses: Sequence[str], leader: str = DEFAULT_LEADER, curve=None, budget: float = 4.0,
                record_in: Optional[str] = None) -> Optional[Found]:
    """Asks `addresses`, in order, for their view (`describeView`) and takes the leader of the
    first view there is, as the CLI's `stop` and `status` do; with `record_in`, that view is
    recorded as the directory's `last-view`. A node that does not connect within 2 s (the
    first) or 1 s (the others), does not answer within 1 s or has no view yet is passed over;
    a refused connection (CurveZMQ) ends the search; the whole search takes at most `budget`
    seconds. Over CurveZMQ (`curve`), only nodes whose key is known are asked: `leader`
    (`leader.pub`) and those in `nodes/`. None when no node answers with a view."""
    from .client import Client
    from .errors import EnsembleError, Refused

    deadline = time.monotonic() + budget
    for index, address in enumerate(addresses):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        key = None
        if curve is not None:
            key = curve.known_server_key(address, leader)
            if key is None:
                continue
        try:
            client = Client(address, curve, key)
        except (EnsembleError, ValueError):
            continue
        try:
            client.connect(timeout=min(left, 2.0 if index == 0 else 1.0), give_up_when_refused=True)
            view = client.describe_view(timeout=max(min(deadline - time.monotonic(), 1.0), 0.001))
        except Refused:
            return None
        except EnsembleError:
            continue
        finally:
            client.close()
        named = _wire_address(view.leader) if view is not None and view.HasField("leader") else None
        if named is None:
            continue
        if record_in is not None:
            record_last_view(record_in, LastView(named, view_members(view)))
        return Found(named, address, view)
    return None
