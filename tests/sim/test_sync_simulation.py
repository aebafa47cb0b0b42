"""The sync simulation with CI's small, fixed budget (benchmarks/sync_soak.py runs it long).

Derandomized: every run explores the same examples. No shrinking here (it can take
minutes); a failure prints its steps and a ``@reproduce_failure`` blob, and
``benchmarks/sync_soak.py`` (without ``--no-shrink``) shrinks a failure it finds.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

from tests.sim.machine import SyncSimulation

SyncSimulation.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=40,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
TestSyncSimulation = SyncSimulation.TestCase
