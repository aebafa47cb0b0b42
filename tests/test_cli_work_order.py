"""``desktopdesk work-order``: work orders printed from the command line, as people type it."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import func, select

from desktopdesk import cli
from desktopdesk.models import Attachment, WorkOrder
from desktopdesk.store.demo import DEMO_DIR
from desktopdesk.store.workspace import Workspace


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose demo workspace is seeded once for the module."""
    folder = tmp_path_factory.mktemp("cli-demo")
    out = folder / "seed.pdf"
    assert cli.main(["--data-dir", str(folder), "--demo", "work-order", "8", "--out",
                     str(out)]) == 0
    return folder


def run(data_dir: Path, *args: str) -> int:
    return cli.main(["--data-dir", str(data_dir), "--demo", *args])


def text_of(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def stored_work_orders(data_dir: Path) -> tuple[int, int]:
    with Workspace.open(data_dir / DEMO_DIR) as ws, ws.read() as session:
        return (session.scalar(select(func.count()).select_from(WorkOrder)) or 0,
                session.scalar(select(func.count()).select_from(Attachment)) or 0)


def test_one_ticket_to_a_file(data_dir: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    before = stored_work_orders(data_dir)
    out = tmp_path / "order.pdf"

    assert run(data_dir, "work-order", "#8", "--out", str(out)) == 0

    assert "Keyboard types UK symbols" in text_of(out)
    assert f"#8: 2 pages (Standard work order) -> {out}" in capsys.readouterr().out
    assert stored_work_orders(data_dir) == before  # printing records nothing


def test_several_tickets_into_a_folder_named_after_each(data_dir: Path, tmp_path: Path) -> None:
    assert run(data_dir, "work-order", "8", "10", "--out", str(tmp_path)) == 0

    names = sorted(p.name for p in tmp_path.iterdir())
    assert [name.split("-")[2] for name in names] == ["10", "8"]
    assert all(name.startswith("work-order-") and name.endswith(".pdf") for name in names)


def test_as_another_user_who_may_not_see_the_ticket(data_dir: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """carla is an independent customer: she sees her own tickets only."""
    out = tmp_path / "order.pdf"

    assert run(data_dir, "--user", "indie.carla", "work-order", "8", "--out", str(out)) == 2

    assert "no ticket #8 that this user may see" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("args", "words"), [
    (("work-order", "8", "--out", "{tmp}/order.txt"), "should end in .pdf"),
    (("work-order", "8", "--out", "{tmp}/missing/order.pdf"), "does not exist"),
    (("work-order", "8", "10", "--out", "{tmp}/order.pdf"), "is an existing folder"),
    (("work-order", "eight", "--out", "{tmp}/order.pdf"), "'eight' is not a ticket number"),
    (("work-order", "9999", "--out", "{tmp}/order.pdf"), "no ticket #9999 in this workspace"),
    (("work-order", "8", "--template", "Nope", "--out", "{tmp}/order.pdf"),
     "no work-order template called 'Nope' (templates: Standard work order)"),
])
def test_bad_input_is_one_line_naming_the_problem(data_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  args: tuple[str, ...], words: str) -> None:
    filled = [arg.replace("{tmp}", str(tmp_path)) for arg in args]

    assert run(data_dir, *filled) == 2

    err = capsys.readouterr().err
    assert words in err
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_nothing_is_written_when_a_later_ticket_is_wrong(data_dir: Path, tmp_path: Path) -> None:
    assert run(data_dir, "work-order", "8", "9999", "--out", str(tmp_path)) == 2

    assert list(tmp_path.iterdir()) == []


def test_an_empty_workspace_has_nothing_to_print(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--data-dir", str(tmp_path / "new"), "work-order", "1", "--out",
                     str(tmp_path / "order.pdf")]) == 2

    assert "holds no tickets yet" in capsys.readouterr().err
