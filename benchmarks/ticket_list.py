"""The ticket list on a store of a million tickets: open, sort, filter, scroll, memory.

    python benchmarks/ticket_list.py [--tickets 1000000] [--repeat 5] [--keep DIR]
                                     [--store DIR]

The store is built by a child process (``ticket_list_store``: plain SQL, about two
minutes), so this process's peak memory is the app's alone. The list is driven
through the real model and window on an offscreen QApplication, as a technician who
sees three quarters of the groups. Each figure is the median of ``--repeat`` runs, from
the request (window created, header clicked, filter typed) to the rows being in the
model and painted. Beside it, "raw": every SQL statement that page load issued,
re-run on a bare ``sqlite3`` connection (the database's share of the time), and the
page query alone.

Targets (issue 4): each under 300 ms, peak RSS under 400 MB, within 3x of raw.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from PySide6.QtCore import (  # noqa: E402
    QCoreApplication,
    QEventLoop,
    QMessageLogContext,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from sqlalchemy import Engine, event, select  # noqa: E402
from ticket_list_store import build_store  # noqa: E402

from desktopdesk.domain.queries import user_summary  # noqa: E402
from desktopdesk.domain.ticket_list_query import TicketFilter  # noqa: E402
from desktopdesk.models import User  # noqa: E402
from desktopdesk.store.planner_stats import statistics_are_stale  # noqa: E402
from desktopdesk.store.workspace import Workspace  # noqa: E402
from desktopdesk.ui.app import create_application  # noqa: E402
from desktopdesk.ui.main_window import MainWindow  # noqa: E402
from desktopdesk.ui.ticket_list_model import Column, TicketListModel  # noqa: E402

TARGET_MS = 300.0
TARGET_RSS_MB = 400.0
TARGET_RATIO = 3.0
TECHNICIAN = "tech001"
#: Words of the generated text, from everywhere to nowhere (their share is printed).
SEARCHES = ("printer", "toner", "kalomi", "printer toner", "zzzz")


@dataclass
class Figure:
    label: str
    shown: list[float] = field(default_factory=list)  # request -> rows painted
    in_model: list[float] = field(default_factory=list)  # request -> rows in the model
    #: Time in the request that is no page's (building the window): left out of the ratio.
    not_sql: list[float] = field(default_factory=list)
    raw_all: list[float] = field(default_factory=list)
    raw_page: list[float] = field(default_factory=list)

    @property
    def ms(self) -> float:
        return statistics.median(self.shown)

    @property
    def model_ms(self) -> float:
        return statistics.median(self.in_model)

    @property
    def raw_ms(self) -> float:
        return statistics.median(self.raw_all)

    @property
    def ratio(self) -> float:
        """Our page (rows in the model) over the database's share of it; 1 ms floor, as a
        page that costs SQLite nothing leaves only fixed costs to compare."""
        page = self.model_ms - (statistics.median(self.not_sql) if self.not_sql else 0.0)
        return page / max(self.raw_ms, 1.0)

    @property
    def ok(self) -> bool:
        return self.ms < TARGET_MS and self.ratio <= TARGET_RATIO


class StatementLog:
    """The SQL the workers send, with the thread that sent it, to replay a page's share."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[tuple[int, str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
                    _context: Any, _executemany: bool) -> None:
        self.statements.append((threading.get_ident(), statement, parameters))

    @contextmanager
    def capture(self) -> Iterator[list[tuple[int, str, Any]]]:
        self.statements = []
        captured: list[tuple[int, str, Any]] = []
        yield captured
        captured.extend(self.statements)


def _is_page_query(statement: str) -> bool:
    return " ORDER BY " in statement and "JOIN users AS owner" in statement


def page_statements(captured: list[tuple[int, str, Any]]) -> list[tuple[str, Any]]:
    """What the page load sent: its worker's statements, from its first to the last one a
    page reads (whoever reads counts or lookups meanwhile works on other threads)."""
    threads = [thread for thread, statement, _p in captured if _is_page_query(statement)]
    if not threads:
        return []
    mine = [(s, p) for thread, s, p in captured if thread == threads[-1]]
    last = max((n for n, (s, _p) in enumerate(mine) if "workunits.author_id" in s
                or _is_page_query(s)), default=len(mine) - 1)
    return mine[:last + 1]


def replay(db: sqlite3.Connection, statements: list[tuple[str, Any]]) -> tuple[float, float]:
    """(all statements, the page query alone) on a bare connection, in ms."""
    total = page = 0.0
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue  # BEGIN: the bare connection reads in autocommit
        start = time.perf_counter()
        db.execute(statement, parameters).fetchall()
        took = (time.perf_counter() - start) * 1000
        total += took
        if _is_page_query(statement):
            page += took
    return total, page


def wait(app: QCoreApplication, done: Callable[[], bool], timeout: float = 60) -> None:
    """Run the event loop (as the app does, idle in C++) until ``done()``."""
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(1)
    poll.timeout.connect(lambda: loop.quit() if done() else None)
    deadline = time.monotonic() + timeout
    poll.start()
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the list did not answer")
        loop.exec()
    poll.stop()


def settle(app: QCoreApplication, model: TicketListModel, timeout_ms: int = 60_000) -> None:
    """Idle in the event loop (as the app does, in C++) until the page is in, then paint."""
    if model.is_fetching:
        loop = QEventLoop()
        model.page_loaded.connect(loop.quit)
        model.load_failed.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        model.page_loaded.disconnect(loop.quit)
        model.load_failed.disconnect(loop.quit)
        if model.is_fetching:
            raise TimeoutError("the list did not answer")
    drain(app)


def drain(app: QCoreApplication) -> None:
    """Until the view has laid out and painted (its layout and paint come as posted events):
    the next measurement must not start with this one's painting still queued."""
    for _ in range(3):
        app.sendPostedEvents()
        app.processEvents()


def measure(figure: Figure, app: QCoreApplication, log: StatementLog, db: sqlite3.Connection,
            action: Callable[[], TicketListModel]) -> None:
    arrived: list[float] = []
    drain(app)
    time.sleep(0.02)  # and the workers of the last step have gone quiet
    with log.capture() as statements:
        start = time.perf_counter()
        model = action()
        model.page_loaded.connect(lambda _n: arrived.append(time.perf_counter()))
        settle(app, model)
        end = time.perf_counter()
    figure.shown.append((end - start) * 1000)
    figure.in_model.append(((arrived[0] if arrived else end) - start) * 1000)
    raw_all, raw_page = replay(db, page_statements(statements))
    figure.raw_all.append(raw_all)
    figure.raw_page.append(raw_page)


def report(figures: list[Figure]) -> bool:
    print(f"\n{'':40}{'shown':>9}{'in model':>10}{'raw SQL':>10}{'page q.':>9}{'ratio':>7}")
    ok = True
    for figure in figures:
        mark = "ok" if figure.ok else "SLOW"
        ok &= figure.ok
        print(f"  {figure.label:38}{figure.ms:7.1f}ms{figure.model_ms:8.1f}ms"
              f"{figure.raw_ms:8.1f}ms{statistics.median(figure.raw_page):7.1f}ms"
              f"{figure.ratio:6.1f}x  {mark}")
    print("  (shown: request to rows painted; in model: to rows in the model; raw SQL: the "
          "statements of that page on a bare sqlite3 connection; page q.: its main query; "
          "ratio: in model / raw SQL, less building the window for open, which took "
          f"{statistics.median(figures[0].not_sql):.1f} ms)")
    return ok


def _quiet_platform(kind: QtMsgType, _context: QMessageLogContext, text: str) -> None:
    """The offscreen platform's notes on each window shown are not ours to print."""
    if "This plugin does not support" not in text:
        print(f"Qt {kind.name}: {text}", file=sys.stderr)


def run(data_dir: Path, repeat: int) -> bool:
    app = create_application(sys.argv[:1])
    qInstallMessageHandler(_quiet_platform)
    workspace = Workspace.open(data_dir)
    log = StatementLog(workspace.engine)
    figures: list[Figure] = []
    with closing(sqlite3.connect(workspace.db_path)) as db, workspace.read() as session:
        user_id = session.scalar(select(User.id).where(User.username == TECHNICIAN))
        assert user_id is not None
        user = user_summary(session, user_id)
        assert user is not None
        total = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
        open_ = db.execute("SELECT count(*) FROM tickets WHERE status != 7").fetchone()[0]
    size = workspace.db_path.stat().st_size / 2**30
    print(f"store: {total:,} tickets ({open_:,} open), {size:.2f} GB; listing as {TECHNICIAN}")

    with workspace.engine.connect() as connection:
        needs_stats = statistics_are_stale(connection)
    first = Figure("first open")
    opened = Figure("open: window to first rows")
    windows: list[MainWindow] = []
    with closing(sqlite3.connect(workspace.db_path)) as db:
        for figure in [first, *[opened] * repeat]:
            def open_window(built: list[float] = figure.not_sql) -> TicketListModel:
                start = time.perf_counter()
                window = MainWindow(workspace, user)  # asks for page one as it is built
                built.append((time.perf_counter() - start) * 1000)
                window.resize(1200, 700)
                window.show()
                windows.append(window)
                return window.model
            measure(figure, app, log, db, open_window)
            window = windows.pop()
            wait(app, lambda w=window: w.count_label.text() not in ("", "Counting…"), 120)
            window.close()
            window.runner.wait_for_done()
        figures.append(opened)
        stats_ms = first.ms

        window = MainWindow(workspace, user)
        window.resize(1200, 700)
        window.show()
        model = window.model
        settle(app, model)
        header = window.table.horizontalHeader()
        for column in Column:
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                arrow = "↑" if order == Qt.SortOrder.AscendingOrder else "↓"
                figure = Figure(f"sort: {column.header.lower()} {arrow}")
                for _ in range(repeat):
                    other = Column.NUMBER if column is not Column.NUMBER else Column.TITLE
                    header.setSortIndicator(other, Qt.SortOrder.DescendingOrder)
                    settle(app, model)

                    def click(c: Column = column, o: Qt.SortOrder = order) -> TicketListModel:
                        header.setSortIndicator(c, o)  # what a header click does
                        return model
                    measure(figure, app, log, db, click)
                figures.append(figure)

        header.setSortIndicator(Column.UPDATED, Qt.SortOrder.DescendingOrder)
        settle(app, model)
        for words in SEARCHES:
            query = " ".join(f'"{w}"*' for w in words.split())
            share = db.execute("SELECT count(*) FROM ticket_text WHERE ticket_text MATCH ?",
                               (query,)).fetchone()[0] / total
            figure = Figure(f"text: {words!r} (in {100 * share:.1f}% of tickets)")
            for _ in range(repeat):
                model.set_filter(TicketFilter())
                settle(app, model)

                def search(w: str = words) -> TicketListModel:
                    model.set_filter(TicketFilter(text=w))
                    return model
                measure(figure, app, log, db, search)
            figures.append(figure)

        model.set_filter(TicketFilter())
        settle(app, model)
        scroll = Figure("scroll: page 2..20 (each)")
        for _ in range(19):
            def more() -> TicketListModel:
                model.fetchMore(window.table.rootIndex())
                return model
            measure(scroll, app, log, db, more)
        figures.append(scroll)
        window.close()
        window.runner.wait_for_done()
    workspace.close()

    ok = report(figures)
    print(f"\n  first open of this store in this process: {stats_ms:.0f} ms"
          + (" (made the planner's statistics first: ANALYZE, once; store/planner_stats.py)"
             if needs_stats else " (cold caches; statistics were there)"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    memory_ok = peak_mb < TARGET_RSS_MB
    print(f"\n  peak memory (RSS) of this process: {peak_mb:.0f} MB  "
          f"{'ok' if memory_ok else 'TOO MUCH'} (target {TARGET_RSS_MB:.0f} MB)")
    return ok and memory_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the store here and leave it")
    parser.add_argument("--store", type=Path, help="use a store built before (with --keep)")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_only:
        start = time.monotonic()
        store = build_store(args.build_only, args.tickets)
        print(f"built {store.tickets:,} tickets, {store.workunits:,} workunits, "
              f"{store.custom_values:,} custom values in {time.monotonic() - start:.0f} s",
              flush=True)
        return 0
    if args.store:
        return 0 if run(args.store, args.repeat) else 1
    with tempfile.TemporaryDirectory(prefix="desktopdesk-list-bench-") as tmp:
        data_dir = args.keep or Path(tmp) / "store"
        print(f"building {args.tickets:,} tickets in {data_dir} …", flush=True)
        subprocess.run([sys.executable, __file__, "--build-only", str(data_dir),
                        "--tickets", str(args.tickets)], check=True)
        return 0 if run(data_dir, args.repeat) else 1


if __name__ == "__main__":
    sys.exit(main())
