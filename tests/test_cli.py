"""The ``desktopdesk`` command: bad input is one clear line and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktopdesk import __version__, cli
from desktopdesk.domain.queries import UserSummary
from desktopdesk.store.workspace import Workspace
from desktopdesk.sync.account import SERVER_USERNAME
from desktopdesk.ui.connect_dialog import ConnectChoice
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


def test_an_empty_data_dir_opened_as_admin_becomes_a_standalone_workspace(
    tmp_path: Path, started: list[UserSummary]
) -> None:
    assert cli.main(["--data-dir", str(tmp_path / "fresh"), "--user", "admin"]) == 0
    assert [(u.username, u.full_name) for u in started] == [("admin", "Administrator")]
    assert cli.main(["--data-dir", str(tmp_path / "fresh")]) == 0  # and opens again
    assert len(started) == 2


@pytest.fixture
def first_start(monkeypatch: pytest.MonkeyPatch) -> list[ConnectChoice | None]:
    """Stand in for the first-start dialog: answer with the queued choices."""
    import desktopdesk.ui.app

    answers: list[ConnectChoice | None] = []
    monkeypatch.setattr(desktopdesk.ui.app, "choose_first_start",
                        lambda _workspace: answers.pop(0))
    return answers


def test_first_start_closed_without_a_choice_creates_nothing(
    tmp_path: Path, started: list[UserSummary], first_start: list[ConnectChoice | None]
) -> None:
    first_start.append(None)
    assert cli.main(["--data-dir", str(tmp_path / "fresh")]) == 0
    assert started == []
    with Workspace.open(tmp_path / "fresh") as workspace:
        assert cli._is_empty(workspace)  # no administrator made behind the person's back


def test_first_start_choosing_the_demo_opens_it(
    tmp_path: Path, started: list[UserSummary], first_start: list[ConnectChoice | None]
) -> None:
    first_start.append(ConnectChoice(demo=True))
    assert cli.main(["--data-dir", str(tmp_path / "fresh")]) == 0
    assert [u.username for u in started] == [cli.DEMO_USER]
    assert (tmp_path / "fresh" / "demo").is_dir()


def test_a_replica_opens_as_the_account_it_is_signed_in_with(
    org: Org, started: list[UserSummary]
) -> None:
    org.ws.set_info(SERVER_USERNAME, "tomas")
    assert cli.main(["--data-dir", str(org.ws.data_dir)]) == 0
    assert [u.username for u in started] == ["tomas"]


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
