"""``desktopdesk-server``: reserved until the shared server lands (see docs/roadmap.md)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="desktopdesk-server",
        description="The DesktopDesk shared server (not part of this release yet).",
    )
    parser.parse_args(argv)
    print(
        "desktopdesk-server: the shared server is not part of this release yet; the desktop "
        "app works standalone meanwhile (desktopdesk --data-dir DIR).",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
