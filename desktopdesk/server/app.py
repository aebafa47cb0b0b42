"""The FastAPI application: one store opened for the app's lifetime, routes under /api/v1.

The server is the authority (a standalone store): it numbers tickets and stamps row
versions. It keeps nothing outside its database and blob folder, so several instances
can serve one PostgreSQL database behind a load balancer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from desktopdesk import __version__
from desktopdesk.models import utc_now
from desktopdesk.server.api import API_PREFIX
from desktopdesk.server.api import attachments as attachments_api
from desktopdesk.server.api import auth as auth_api
from desktopdesk.server.api import blobs as blobs_api
from desktopdesk.server.api import lookups as lookups_api
from desktopdesk.server.api import sla as sla_api
from desktopdesk.server.api import sync as sync_api
from desktopdesk.server.api import ticket_actions as ticket_actions_api
from desktopdesk.server.api import tickets as tickets_api
from desktopdesk.server.api import users as users_api
from desktopdesk.server.api import work_orders as work_orders_api
from desktopdesk.server.api import workunits as workunits_api
from desktopdesk.server.auth import Auth, Clock
from desktopdesk.server.config import ServerConfig
from desktopdesk.server.deps import ServerState
from desktopdesk.server.errors import install_error_handlers
from desktopdesk.server.jobs import JobRunner
from desktopdesk.store.planner_stats import analyse, has_statistics
from desktopdesk.store.workspace import Role, Workspace

log = logging.getLogger("desktopdesk.server")

#: Every router of the REST API, mounted under ``API_PREFIX``.
ROUTERS: tuple[APIRouter, ...] = (
    auth_api.router,
    tickets_api.router,
    ticket_actions_api.router,
    workunits_api.router,
    attachments_api.router,
    work_orders_api.router,
    lookups_api.router,
    sync_api.router,
    blobs_api.router,
    users_api.router,
    sla_api.router,
)


class NotAnAuthorityError(RuntimeError):
    """The data folder holds a desktop replica, which must never serve as the server."""


def open_server(config: ServerConfig, clock: Clock = utc_now) -> ServerState:
    workspace = Workspace.open(config.data_dir, config.database_url)
    if workspace.role is not Role.STANDALONE:
        workspace.close()
        raise NotAnAuthorityError(
            f"{config.data_dir} holds a {workspace.role} store; the server needs its own "
            "(desktopdesk-server init)")
    if config.auth.argon2.weaker_than_default:
        log.warning("argon2 password hashing is set below the recommended cost "
                    "(server.toml [auth.argon2]); fine for tests, not for production")
    log.info("DesktopDesk server %s: data in %s, database %s", __version__, config.data_dir,
             config.safe_database_url)
    with workspace.sessions.begin() as session:
        if not has_statistics(session.connection()):  # filled before it first served
            log.info("refreshing the query planner's statistics (first start)")
            analyse(session.connection())
    auth = Auth(workspace.sessions, config.auth, clock)
    auth.dummy_hash  # noqa: B018 - made now, so no first sign-in pays for it (timing)
    return ServerState(config=config, workspace=workspace, auth=auth, clock=clock)


def create_app(config: ServerConfig, *, clock: Clock = utc_now) -> FastAPI:
    """The app for ``config``; the store opens when the app starts, not here.

    ``clock`` is the server's idea of now (token expiry, throttling windows, scheduled
    jobs, and what routes pass to ``execute``); tests pass a fixed clock they can move.
    The scheduled jobs' runner lives as long as the app, unless ``jobs_interval_s`` is 0.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = open_server(config, clock)
        runner = None
        if config.jobs_interval_s > 0:
            runner = JobRunner(state.workspace, config, clock, interval_s=config.jobs_interval_s)
        app.state.server = state
        try:
            if runner is not None:
                runner.start()
            yield
        finally:
            if runner is not None:
                runner.stop()
            del app.state.server
            state.workspace.close()

    app = FastAPI(
        title="DesktopDesk",
        version=__version__,
        summary="The shared server of DesktopDesk, an offline-first help desk.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app
