"""Only desktopdesk.ui may load Qt widgets: the rest runs headless (server, sync, tests)."""

from __future__ import annotations

import subprocess
import sys

HEADLESS_MODULES = (
    "desktopdesk.models",
    "desktopdesk.domain",
    "desktopdesk.domain.handlers",
    "desktopdesk.domain.queries",
    "desktopdesk.store.workspace",
    "desktopdesk.store.bootstrap",
    "desktopdesk.cli",  # imports the UI only once its arguments check out
    "desktopdesk.server.app",
    "desktopdesk.server.cli",
    "desktopdesk.documents.work_order_pdf",
    "desktopdesk.documents.ticket_values",
    "desktopdesk.documents.scans",
    "desktopdesk.documents.pdf_pages",
    "desktopdesk.documents.work_orders",
    "desktopdesk.documents.work_order_queries",
    "desktopdesk.cli_documents",
)


def test_headless_layers_do_not_load_qt_widgets_or_gui() -> None:
    script = "\n".join([
        "import importlib, sys",
        *(f"importlib.import_module({name!r})" for name in HEADLESS_MODULES),
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('PySide6'))))",
    ])
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.split()
    assert "PySide6.QtWidgets" not in loaded
    assert "PySide6.QtGui" not in loaded


def test_the_check_would_notice_the_ui_loading_widgets() -> None:
    """Guards the test above against passing for the wrong reason."""
    script = ("import sys, desktopdesk.ui.main_window; "
              "print('PySide6.QtWidgets' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.stdout.strip() == "True", result.stderr
