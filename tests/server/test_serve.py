"""End to end: ``desktopdesk-server serve`` as a real process on a loopback port."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def serving(server_dir: Path, log_path: Path, **settings: str) -> Iterator[str]:
    """``desktopdesk-server serve`` on a free loopback port; yields its base URL.

    ``settings`` become ``DESKTOPDESK_*`` variables. On leaving, the server is stopped
    with SIGTERM and must have shut down cleanly, without a traceback in its log.
    """
    port = free_loopback_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPDESK_")}
    env.update({f"DESKTOPDESK_{name.upper()}": value for name, value in settings.items()})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*server_command(), "serve", "--data-dir", str(server_dir), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
        try:
            wait_until_serving(base, process)
            yield base
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


def signed_in(base: str, username: str) -> requests.Session:
    http = requests.Session()
    token = http.post(f"{base}/api/v1/auth/token", timeout=TIMEOUT,
                      data={"username": username, "password": DEMO_PASSWORD})
    assert token.status_code == 200, token.text
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return http


def test_the_real_server_signs_people_in_over_http(server_dir: Path, tmp_path: Path) -> None:
    with serving(server_dir, tmp_path / "server.log") as base, signed_in(base, "ramon") as http:
        me = http.get(f"{base}/api/v1/me", timeout=TIMEOUT)
        assert (me.status_code, me.json()["username"]) == (200, "ramon")
        assert http.post(f"{base}/api/v1/auth/logout", timeout=TIMEOUT).status_code == 204
        assert http.get(f"{base}/api/v1/me", timeout=TIMEOUT).status_code == 401


def multipart_chunks(data: bytes, boundary: str, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """A file upload sent chunked (no Content-Length), as a streaming client would."""
    yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
           f'filename="../x.bin"\r\n\r\n').encode()
    for start in range(0, len(data), chunk):
        yield data[start:start + chunk]
    yield f"\r\n--{boundary}--\r\n".encode()


def test_the_real_server_streams_uploads_and_stops_oversize_ones(
    server_dir: Path, tmp_path: Path
) -> None:
    """Under uvicorn the body really arrives in pieces: the upload route pulls them one by
    one into the blob store and refuses the file as soon as it passes the limit."""
    boundary = "real-server-boundary"
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    blobs = server_dir / "blobs"
    with (serving(server_dir, tmp_path / "server.log", max_attachment_mb="1") as base,
          signed_in(base, "tomas") as http):
        url = f"{base}/api/v1/tickets/20/attachments"
        data = random.Random(3).randbytes(900_000)
        stored = http.post(url, headers=headers, data=multipart_chunks(data, boundary),
                           timeout=TIMEOUT)
        assert stored.status_code == 201, stored.text
        assert stored.json()["sha256"] == hashlib.sha256(data).hexdigest()
        assert stored.json()["file_name"] == "x.bin"
        download = http.get(base + stored.json()["url"], timeout=TIMEOUT)
        assert download.content == data

        before = sorted(blobs.rglob("*"))
        big = random.Random(4).randbytes(5 * 1024 * 1024)
        refused = http.post(url, headers=headers, data=multipart_chunks(big, boundary),
                            timeout=TIMEOUT)
        assert refused.status_code == 413, refused.text
        assert refused.json()["code"] == "too_large"
        assert sorted(blobs.rglob("*")) == before
