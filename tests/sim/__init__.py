"""Deterministic multi-desktop sync simulation (shared/design/sync.md, "How we prove it", 3)."""
