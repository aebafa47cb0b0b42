"""Start the real program, as `make run` does, and see the demo's tickets on screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TIMEOUT_S = 120


def run_app(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "desktopdesk", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False,
    )


def test_demo_opens_a_window_listing_the_visible_tickets(tmp_path: Path) -> None:
    lead = run_app("--demo", "--self-check", data_dir=tmp_path)
    assert lead.returncode == 0, lead.stderr
    # The 31 open ones of the 48 he may see: the list hides closed tickets until asked.
    assert "self-check ok: 31 tickets shown to ramon" in lead.stdout

    # The independent customer, in the same (now existing) demo, sees only her own.
    carla = run_app("--demo", "--user", "indie.carla", "--self-check", data_dir=tmp_path)
    assert carla.returncode == 0, carla.stderr
    shown = int(carla.stdout.split("self-check ok: ")[1].split()[0])
    assert 0 < shown < 48
    assert (tmp_path / "demo" / "desktopdesk.sqlite3").exists()
    assert (tmp_path / "logs" / "desktopdesk.log").exists()
