"""The sync simulation with CI's small, fixed budget (benchmarks/sync_soak.py runs it long)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.sim.machine import SyncSimulation

SyncSimulation.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=40,
    derandomize=True,  # the same examples on every run: CI stays deterministic
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
TestSyncSimulation = SyncSimulation.TestCase
