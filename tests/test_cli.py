"""The ``desktopdesk`` command: bad input is one clear line and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktopdesk import __version__, cli
from desktopdesk.domain.queries import UserSummary
from desktopdesk.store.workspace import Workspace
from tests.conftest import Org


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[UserSummary]:
    """Stand in for the Qt event loop: record who would have been signed in."""
    import desktopdesk.ui.app

    signed_in: list[UserSummary] = []

    def run(workspace: Workspace, user: UserSummary, **_kwargs: object) -> int:
        signed_in.append(user)
        return 0

    monkeypatch.setattr(desktopdesk.ui.app, "run", run)
    return signed_in


def test_unknown_user_exits_2_naming_the_user(
    org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--data-dir", str(org.ws.data_dir), "--user", "nobody"]) == 2
    err = capsys.readouterr().err.strip()
    assert "'nobody'" in err
    assert "ramon" in err  # suggests who there is
    assert len(err.splitlines()) == 1


def test_known_user_is_signed_in(org: Org, started: list[UserSummary]) -> None:
    assert cli.main(["--data-dir", str(org.ws.data_dir), "--user", "ramon"]) == 0
    assert [u.username for u in started] == ["ramon"]
    assert (org.ws.data_dir / "logs" / cli.LOG_FILE).is_file()


def test_an_empty_data_dir_becomes_a_workspace_with_an_admin(
    tmp_path: Path, started: list[UserSummary]
) -> None:
    assert cli.main(["--data-dir", str(tmp_path / "fresh")]) == 0
    assert [(u.username, u.full_name) for u in started] == [("admin", "Administrator")]
    assert cli.main(["--data-dir", str(tmp_path / "fresh")]) == 0  # and opens again
    assert len(started) == 2


def test_a_file_given_as_data_dir_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("hello")
    assert cli.main(["--data-dir", str(not_a_folder)]) == 2
    err = capsys.readouterr().err
    assert "is not a folder" in err
    assert str(not_a_folder) in err


def test_a_file_that_is_not_a_database_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "desktopdesk.sqlite3").write_bytes(b"this is not SQLite" * 100)
    assert cli.main(["--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("desktopdesk: cannot open the workspace in")
    assert len(err.splitlines()) == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"desktopdesk {__version__}"
