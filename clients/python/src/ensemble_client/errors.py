"""What can go wrong talking to a convention; every error carries one line saying why."""


class EnsembleError(Exception):
    """Base of every error this client raises."""


class Refused(EnsembleError):
    """The node refused the request (`ensemble.v2.Refused`) or this client's connection (CurveZMQ keys)."""


class Timeout(EnsembleError):
    """No answer within the time given."""


class Unreachable(EnsembleError):
    """No node answers at the address given."""


class Undeliverable(EnsembleError):
    """The message came back as an `ensemble.v2.DeadLetter`: its reason is the error's text."""


class RemoteError(EnsembleError):
    """The actor's handler failed on the message (`ensemble.v2.PoisonMessage`): its details are the text."""


class CurveKeyError(EnsembleError):
    """A CurveZMQ key file is missing or wrong."""


class NotLeader(EnsembleError):
    """The node asked does not lead the convention; `leader` is the leader it knows
    ("HOST:PORT", or None when it knows none yet)."""

    def __init__(self, text: str, leader=None):
        super().__init__(text)
        self.leader = leader
