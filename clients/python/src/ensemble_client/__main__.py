"""`python -m ensemble_client COMMAND`: `app` (the walkthrough's encoder client) or `status`."""

from __future__ import annotations

import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ("app", "status"):
        print("usage: python -m ensemble_client {app,status} [options]  (each takes --help)", file=sys.stderr)
        return 64
    try:
        if argv[0] == "app":
            from .app import main as app
            return app(argv[1:])
        from .status import main as status
        return status(argv[1:])
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # no user sees a stack trace: one line, exit 1
        print(f"ensemble {argv[0]}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
