"""The REST API under ``/api/v1``: one router module per area, included by ``app.py``."""

API_PREFIX = "/api/v1"
