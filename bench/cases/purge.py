"""Purge of everything expired, with the longest lock hold of each side."""
import json
import re
import sys

from harness import NOW, POLICY, Timed, remove_db

# What makes the shell print the rows each statement changed (psql prints
# its command tags, "DELETE 831", unless quiet), and their sum from its output.
COUNT_CHANGES = {"sqlite": ".changes on\n", "postgresql": ""}


def baseline_changed(backend, output):
    if backend == "sqlite":  # "changes: N   total_changes: M" after each statement
        return int(re.findall(r"total_changes: (\d+)", output)[-1])
    return sum(int(n) for n in re.findall(r"^(?:DELETE|UPDATE) (\d+)$", output, re.M))


def purge(bench):
    """Everything expired, against one plain statement per table in one
    transaction each; both report their longest lock hold."""
    baseline_file = bench.work / "purge.sql"
    baseline_file.write_text(bench.timer_on() + COUNT_CHANGES[bench.backend]
                             + bench.baseline("purge").replace(":now", NOW))
    dsr_runs, base_runs, dsr_locks, base_locks, changed = [], [], [], [], 0
    for _ in range(bench.args.repetitions):
        db = bench.fresh_copy("purge-dsr.db")
        state = bench.work / "purge-state.db"
        remove_db(state)
        run = Timed(bench.work, [bench.dsr, "purge", "--policy", POLICY, "--db", db, "--state", state,
                     "--keys", bench.keys, "--format", "json"])
        report = json.loads(run.stdout)
        dsr_locks.append(report["totals"]["longest_lock_ms"])
        changed = report["totals"]["deleted"] + report["totals"]["masked"]
        dsr_runs.append(run)
        bench.discard_copy(db)
        db = bench.fresh_copy("purge-base.db")
        run = Timed(bench.work, bench.shell(db), stdin=baseline_file)
        # Each statement runs in its own transaction (autocommit), so the
        # longest statement is the longest lock hold.
        base_locks.append(max(bench.statement_ms(run.stdout)))
        base_runs.append(run)
        bench.discard_copy(db)
        # Both must have changed the same rows, or the comparison means nothing.
        base_changed = baseline_changed(bench.backend, run.stdout)
        if base_changed != changed:
            sys.exit(f"bench: purge: dsr changed {changed} rows, the baseline {base_changed}")
    bench.record("purge", dsr_runs, base_runs,
                {"rows_changed": changed, "dsr_longest_lock_ms": round(max(dsr_locks), 1),
                 "baseline_longest_lock_ms": round(max(base_locks), 1)})


ORDER = 30
BACKENDS = {"sqlite", "postgresql"}
CASES = {"purge": purge}
