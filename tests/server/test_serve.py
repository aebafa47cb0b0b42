"""End to end: ``desktopdesk-server serve`` as a real process on a loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from desktopdesk.store.demo import DEMO_PASSWORD

START_TIMEOUT_S = 60
TIMEOUT = (3.05, 10)


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command() -> list[str]:
    """The installed console script; ``python -m`` where the venv has no scripts."""
    script = Path(sys.executable).with_name("desktopdesk-server")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "desktopdesk.server"]


def wait_until_serving(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited while starting"
        try:
            if requests.get(f"{base}/api/v1/openapi.json", timeout=TIMEOUT).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer within {START_TIMEOUT_S} s")


def test_the_real_server_signs_people_in_over_http(server_dir: Path, tmp_path: Path) -> None:
    port = free_loopback_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPDESK_")}
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*server_command(), "serve", "--data-dir", str(server_dir), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
        try:
            wait_until_serving(base, process)
            with requests.Session() as http:
                token = http.post(f"{base}/api/v1/auth/token", timeout=TIMEOUT,
                                  data={"username": "ramon", "password": DEMO_PASSWORD})
                assert token.status_code == 200, token.text
                http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
                me = http.get(f"{base}/api/v1/me", timeout=TIMEOUT)
                assert (me.status_code, me.json()["username"]) == (200, "ramon")
                assert http.post(f"{base}/api/v1/auth/logout", timeout=TIMEOUT).status_code == 204
                assert http.get(f"{base}/api/v1/me", timeout=TIMEOUT).status_code == 401
        finally:
            process.terminate()  # SIGTERM: uvicorn shuts down gracefully
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    output = log_path.read_text(errors="replace")
    # uvicorn shuts down, then re-raises the signal so the parent sees what ended it.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Traceback" not in output
    assert "Application shutdown complete" in output
