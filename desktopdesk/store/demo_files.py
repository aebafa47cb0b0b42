"""Small, real attachment files made in code: a screenshot PNG, a log, a CSV.

Generated rather than committed so the repository holds no binaries and the demo's files
follow its seed: the same seed and day give byte-identical files (and the same SHA-256).
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from typing import NamedTuple

Rgb = tuple[int, int, int]


class DemoFile(NamedTuple):
    content: bytes
    mime_type: str
    description: str


def make_file(file_name: str, rng: random.Random, at: dt.datetime, subject: str) -> DemoFile:
    """The file a story names, its kind chosen by the extension."""
    if file_name.endswith(".png"):
        return DemoFile(screenshot_png(rng), "image/png", f"Screenshot: {subject}")
    if file_name.endswith(".csv"):
        return DemoFile(inventory_csv(rng, at), "text/csv", "Export from the asset inventory")
    return DemoFile(event_log(rng, at, subject), "text/plain", "Log collected on the device")


# --- PNG ----------------------------------------------------------------------------------


def screenshot_png(rng: random.Random, width: int = 160, height: int = 100) -> bytes:
    """A tiny fake error dialog: desktop, window, title bar and a red error badge."""
    desktop: Rgb = (rng.randint(20, 60), rng.randint(70, 110), rng.randint(120, 170))
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            row.extend(_dialog_pixel(x, y, width, height, desktop))
        rows.append(bytes(row))
    return encode_png(width, height, rows)


def _dialog_pixel(x: int, y: int, width: int, height: int, desktop: Rgb) -> Rgb:
    left, top, right, bottom = width // 8, height // 5, width * 7 // 8, height * 4 // 5
    if not (left <= x < right and top <= y < bottom):
        return desktop
    if y < top + 10:
        return (40, 40, 48) if x < right - 10 else (200, 60, 60)  # title bar, close box
    cx, cy = left + 18, (top + bottom) // 2 + 4
    if (x - cx) ** 2 + (y - cy) ** 2 <= 64:
        return (255, 255, 255) if abs(x - cx) <= 1 and abs(y - cy) <= 4 else (210, 40, 40)
    if left + 32 <= x < right - 12 and (y - top - 18) % 8 < 3 and y < bottom - 20:
        return (90, 90, 90)  # lines of message text
    if right - 40 <= x < right - 12 and bottom - 16 <= y < bottom - 6:
        return (60, 120, 200)  # the OK button
    return (240, 240, 240)


def encode_png(width: int, height: int, rows: list[bytes]) -> bytes:
    """8-bit RGB PNG from raw rows (filter type 0 on every row)."""
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


# --- Text ---------------------------------------------------------------------------------

_LOG_LINES = (
    ("INFO", "service started (pid {n})"),
    ("INFO", "connecting to {host}:443"),
    ("INFO", "user profile loaded in {n} ms"),
    ("WARN", "retrying request to {host} (attempt {a}/5)"),
    ("WARN", "disk queue length above threshold: {n}"),
    ("ERROR", "connection reset by peer ({host})"),
    ("ERROR", "operation timed out after {n} ms"),
    ("ERROR", "access denied: \\\\srv-file01\\finanzas\\informes"),
    ("INFO", "certificate chain verified for {host}"),
    ("DEBUG", "heartbeat ok, latency {n} ms"),
)
_HOSTS = ("vpn.example.com", "mail.example.com", "srv-file01.example.com", "erp.example.com")


def event_log(rng: random.Random, at: dt.datetime, subject: str) -> bytes:
    """A plausible client log ending around the moment the problem was reported."""
    when = at - dt.timedelta(minutes=rng.randint(30, 90))
    lines = [f"# collected for: {subject}"]
    for _ in range(rng.randint(18, 36)):
        when += dt.timedelta(seconds=rng.randint(1, 240))
        level, template = rng.choice(_LOG_LINES)
        text = template.format(n=rng.randint(12, 9000), host=rng.choice(_HOSTS),
                               a=rng.randint(1, 5))
        lines.append(f"{when:%Y-%m-%d %H:%M:%S} {level:<5} {text}")
    return ("\n".join(lines) + "\n").encode("utf-8")


_DEVICES = (
    ("ThinkPad T14", "Lenovo"), ("OptiPlex 7010", "Dell"), ("EliteBook 840", "HP"),
    ("MacBook Air M2", "Apple"), ("MX Master 3S", "Logitech"), ("ZD421", "Zebra"),
)
_OWNERS = ("Ana Martínez", "Bob Müller", "Marta Gómez", "Jürgen Weiß", "Zoë Laurent",
           "Iñaki Etxeberria", "Sofía Ramírez", "Chloé Dubois")


def inventory_csv(rng: random.Random, at: dt.datetime) -> bytes:
    """An asset export, the kind technicians attach to size a job."""
    lines = ["asset_tag,model,brand,assigned_to,last_seen,warranty_until"]
    for number in rng.sample(range(100, 999), rng.randint(6, 12)):
        model, brand = rng.choice(_DEVICES)
        seen = at - dt.timedelta(days=rng.randint(0, 30))
        until = at + dt.timedelta(days=rng.randint(-200, 700))
        lines.append(f"NW-{number},{model},{brand},{rng.choice(_OWNERS)},"
                     f"{seen:%Y-%m-%d},{until:%Y-%m-%d}")
    return ("\n".join(lines) + "\n").encode("utf-8")
