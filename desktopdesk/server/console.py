"""Talking to the administrator at a terminal: passwords typed or piped, and the logs.

Kept apart from the command definitions in ``cli.py``: this is the part that touches
stdin, getpass and logging handlers, which tests replace.
"""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from io import TextIOWrapper
from pathlib import Path

from desktopdesk.domain.errors import DomainError

AUDIT_LOG = "audit.log"


class BadInputError(Exception):
    """Something the administrator gave is wrong: one line on stderr, exit status 2."""


def read_new_password(file: Path | None, whose: str) -> str:
    """From ``file``, else asked twice on a terminal, else one line of standard input."""
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise BadInputError(f"cannot read the password file {file}: "
                                f"{getattr(error, 'strerror', None) or error}") from None
        password = text.rstrip("\r\n")
        if "\n" in password:
            raise BadInputError(f"the password file {file} must hold one line")
    elif sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(f"New password for {whose}: ")
        if getpass.getpass("The same password again: ") != password:
            raise BadInputError("the two passwords differ; nothing was changed")
    else:
        password = sys.stdin.readline().rstrip("\r\n") if sys.stdin is not None else ""
    # Imported here: server.auth needs argon2, which main() checks is installed first.
    from desktopdesk.server.auth import check_chosen_password

    try:
        check_chosen_password(password)
    except DomainError as error:
        raise BadInputError(error.message) from None
    return password


class _FolderMakingFileHandler(logging.FileHandler):
    """Opens (and creates the folder for) its file at the first record, not before, so
    a command refused for bad input leaves no empty log folder behind."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)

    def _open(self) -> TextIOWrapper:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


@contextmanager
def logging_to(data_dir: Path, *, verbose: bool) -> Iterator[None]:
    """Messages to stderr (INFO when serving, else warnings), audit lines also to a file.

    The audit file (``DIR/logs/audit.log``) keeps who changed which password and who
    signed in, beyond the terminal's scrollback. Handlers are removed on the way out, so
    calling ``main`` repeatedly (as tests do) leaves logging as it was.
    """
    root = logging.getLogger()
    audit = logging.getLogger("desktopdesk.server.audit")
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.INFO if verbose else logging.WARNING)
    stderr.setFormatter(formatter)
    audit_file = _FolderMakingFileHandler(data_dir / "logs" / AUDIT_LOG)
    audit_file.setFormatter(formatter)
    # Alembic announces each plugin it loads at INFO: noise in a server's log.
    plugins = logging.getLogger("alembic.runtime.plugins")
    previous_root, previous_audit, previous_plugins = root.level, audit.level, plugins.level
    plugins.setLevel(logging.WARNING)
    root.setLevel(logging.INFO)
    audit.setLevel(logging.INFO)
    root.addHandler(stderr)
    audit.addHandler(audit_file)
    try:
        yield
    finally:
        root.removeHandler(stderr)
        audit.removeHandler(audit_file)
        audit_file.close()
        root.setLevel(previous_root)
        audit.setLevel(previous_audit)
        plugins.setLevel(previous_plugins)
