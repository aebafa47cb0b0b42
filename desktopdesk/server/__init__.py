"""The shared server (FastAPI): arrives with the sync issue; the console script is reserved."""
