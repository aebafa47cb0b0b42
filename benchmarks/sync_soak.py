"""Soak the sync simulation: tests/sim's state machine with a large budget (not run in CI).

Runs rounds of the state machine, each with its own seed, until the examples are done or
the time is up, then prints how many steps, syncs and faults ran and how long it took. A
failure prints Hypothesis's minimal failing program (unless --no-shrink) and exits 1.

    python benchmarks/sync_soak.py [--examples 200] [--steps 120] [--seconds 300]
                                   [--seed 1] [--no-shrink]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests.sim`, run as a script

from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.sim.machine import STATS, SyncSimulation

#: Examples per round: each round has its own seed, so a long run keeps exploring.
ROUND = 25


def run_round(round_seed: int, examples: int, steps: int, shrink: bool) -> None:
    class Round(SyncSimulation):  # its own class: the seed is set on it, not on the original
        pass

    machine = seed(round_seed)(Round)
    phases = [Phase.generate, *([Phase.shrink] if shrink else [])]
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
        phases=phases, suppress_health_check=list(HealthCheck), print_blob=True))


def report(started: float, rounds: int) -> None:
    elapsed = time.perf_counter() - started
    print(f"{rounds} round(s), {STATS['examples']} examples, {STATS['steps']} steps, "
          f"{STATS['syncs']} syncs ({STATS['syncs broken off']} broken off by a fault, "
          f"{STATS['settling syncs']} settling), {elapsed:.1f} s")
    for key in sorted(STATS):
        print(f"  {key:45} {STATS[key]:8}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="examples in all")
    parser.add_argument("--steps", type=int, default=120, help="steps per example")
    parser.add_argument("--seconds", type=float, default=0.0,
                        help="stop starting rounds after this long (0: no time limit)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first round")
    parser.add_argument("--no-shrink", action="store_true",
                        help="report a failure as found (shrinking can take minutes)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rounds, left = 0, args.examples
    try:
        while left > 0:
            if args.seconds and time.perf_counter() - started > args.seconds:
                break
            batch = min(ROUND, left)
            run_round(args.seed + rounds, batch, args.steps, not args.no_shrink)
            rounds, left = rounds + 1, left - batch
    except Exception:
        report(started, rounds + 1)
        print(f"FAILED in round {rounds + 1} (seed {args.seed + rounds})")
        raise
    report(started, rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
