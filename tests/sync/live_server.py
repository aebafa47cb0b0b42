"""A real ``desktopdesk-server`` on a free loopback port, seeded with the demo.

The same recipe as tests/server (cheap argon2 written into server.toml, the demo seeded
in-process, ``serve`` started as a subprocess); one per test module that needs it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktopdesk.server.auth import Auth
from desktopdesk.server.config import write_config_file
from desktopdesk.server.provision import open_store, seed_demo_server
from tests.server.conftest import DEMO_TODAY, fast_config
from tests.server.test_serve import free_loopback_port, server_command, wait_until_serving

STOP_TIMEOUT_S = 30


@contextmanager
def running_demo_server(folder: Path) -> Iterator[str]:
    """The server's base URL while it runs; its log is ``folder/server.log``."""
    data_dir = folder / "server"
    config = fast_config(data_dir)
    write_config_file(config)
    with open_store(config) as workspace:
        seed_demo_server(workspace, Auth(workspace.sessions, config.auth), today=DEMO_TODAY)
    port = free_loopback_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPDESK_")}
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [*server_command(), "serve", "--data-dir", str(data_dir), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
        try:
            wait_until_serving(base, process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def closed_loopback_url() -> str:
    """An address where nothing listens: connecting is refused at once."""
    return f"http://127.0.0.1:{free_loopback_port()}"
