"""The shared server (FastAPI): auth, the REST API under /api/v1, and later sync and jobs.

``desktopdesk-server`` (``cli.py``) creates and runs it; ``app.create_app`` builds the
application for a ``config.ServerConfig``.
"""
