"""Offline-first sync: the client's outbox and the push/pull protocol of sync.md."""
