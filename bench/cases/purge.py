"""Purge of everything expired, with the longest lock hold of each side."""
import json

from harness import HERE, NOW, POLICY, Timed, remove_db


def purge(bench):
    """Everything expired, against one plain statement per table in one
    transaction each; both report their longest lock hold."""
    baseline = (HERE / "baseline" / "purge.sql").read_text().replace(":now", NOW)
    baseline_file = bench.work / "purge.sql"
    baseline_file.write_text(".timer on\n" + baseline)
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
        db = bench.fresh_copy("purge-base.db")
        run = Timed(bench.work, ["sqlite3", "-bail", db], stdin=baseline_file)
        # .timer prints "Run Time: real S user S sys S" after each statement;
        # each statement runs in its own transaction (autocommit).
        base_locks.append(1000 * max(float(line.split()[3]) for line in run.stdout.splitlines()
                                     if line.startswith("Run Time:")))
        base_runs.append(run)
    bench.record("purge", dsr_runs, base_runs,
                {"rows_changed": changed, "dsr_longest_lock_ms": round(max(dsr_locks), 1),
                 "baseline_longest_lock_ms": round(max(base_locks), 1)})


ORDER = 30
CASES = {"purge": purge}
