"""Render a ticket's SLA and Statistics tabs to ``sla-histogram.png`` and
``ticket-statistics.png``, offscreen, from the demo data.

    .venv/bin/python tools/shots_sla.py [--out /tmp] [--user ramon] [--dark]

``render`` is what ``render_screenshots.py`` calls. The ticket shown is the one, among
those the user may see, whose SLA history has the most to show: time OK and in breach
(and paused, if any), several breaches.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from shots_common import run_shot, save_atomically, wait_for

from desktopdesk.store.workspace import Workspace

SLA_NAME = "sla-histogram.png"
STATISTICS_NAME = "ticket-statistics.png"
SIZE = (1100, 700)


def telling_ticket(workspace: Workspace, user_id: uuid.UUID) -> uuid.UUID:
    """The visible ticket whose SLA spans tell the most: OK and in breach both, then
    paused time, more breaches, more workunits."""
    from sqlalchemy import func, select

    from desktopdesk.domain.acl import load_permissions, visible_tickets_clause
    from desktopdesk.domain.sla_model import SpanState
    from desktopdesk.domain.ticket_sla import ticket_sla_report
    from desktopdesk.models import Ticket, Workunit, utc_now

    now = utc_now()
    best: tuple[tuple[int, ...], uuid.UUID] | None = None
    with workspace.read() as session:
        perms = load_permissions(session, user_id)
        rows = session.execute(
            select(Ticket.id, func.count(Workunit.id))
            .outerjoin(Workunit, Workunit.ticket_id == Ticket.id)
            .where(visible_tickets_clause(perms)).group_by(Ticket.id)).all()
        for ticket_id, workunits in rows:
            report = ticket_sla_report(session, ticket_id, now)
            if report is None:
                continue
            states = {span.state for span in report.evaluation.spans}
            score = (int({SpanState.OK, SpanState.VIOLATED} <= states),
                     int(SpanState.PAUSED in states),
                     min(len(report.evaluation.violations), 4), workunits)
            if best is None or score > best[0]:
                best = (score, ticket_id)
    assert best is not None, "no demo ticket the user may see has an SLA"
    return best[1]


def render(app: QCoreApplication, workspace: Workspace, user_id: uuid.UUID,
           out: Path) -> list[Path]:
    """Both pictures, of the same ticket's view."""
    from desktopdesk.domain.ticket_sla import RangePreset
    from desktopdesk.ui.tasks import TaskRunner
    from desktopdesk.ui.ticket_view import TicketView

    runner = TaskRunner()
    view = TicketView(workspace, user_id, runner, telling_ticket(workspace, user_id))
    view.resize(*SIZE)
    view.show()
    wait_for(app, lambda: not view.is_loading and view.details is not None, "the ticket view")
    targets = []
    view.set_current_tab("sla")
    wait_for(app, lambda: view.sla_tab.report is not None and not view.sla_tab.is_loading,
             "the SLA tab")
    view.sla_tab.set_preset(RangePreset.LIFETIME)
    wait_for(app, lambda: True, "the range")
    targets.append(save_atomically(view, out / SLA_NAME))
    view.set_current_tab("statistics")
    wait_for(app, lambda: view.statistics_tab.statistics is not None
             and not view.statistics_tab.is_loading, "the Statistics tab")
    targets.append(save_atomically(view, out / STATISTICS_NAME))
    view.close()
    runner.wait_for_done()
    return targets


def main(argv: list[str] | None = None) -> int:
    return run_shot(__doc__.splitlines()[0], render, "ramon", argv)


if __name__ == "__main__":
    raise SystemExit(main())
