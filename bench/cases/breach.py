"""Breach assessment of two whole tables, against the hand-written count."""
import json
import sys

from harness import POLICY, Timed, remove_db


def breach_assess(bench):
    """`dsr breach assess --scope orders --scope web_sessions --dry-run`
    (people through the links, guests by email, records, categories, risk,
    deadlines) against bench/baseline/breach.sql, which counts the same
    rows and people; the run fails unless both find the same numbers."""
    script = bench.work / "breach.sql"
    script.write_text(bench.baseline("breach"))
    dsr_runs, base_runs = [], []
    for _ in range(bench.args.repetitions):
        state = bench.work / "breach-state.db"
        remove_db(state)
        run = Timed(bench.work, [bench.dsr, "breach", "assess", "--policy", POLICY, "--db", bench.shop,
                                 "--state", state, "--keys", bench.keys, "--scope", "orders",
                                 "--scope", "web_sessions", "--dry-run", "--format", "json"])
        dsr_runs.append(run)
        assessed = json.loads(run.stdout)["breach"]
        base = Timed(bench.work, bench.shell(bench.shop), stdin=script)
        base_runs.append(base)
        orders, sessions, people = (int(n) for n in base.stdout.split())
        found = ([r["rows"] for r in assessed["records"]], assessed["subjects"]["total"])
        if found != ([orders, sessions], people):
            sys.exit(f"bench: breach_assess: dsr found {found}, the baseline {([orders, sessions], people)}")
    bench.record("breach_assess", dsr_runs, base_runs,
                 {"rows": orders + sessions, "subjects": people, "target": "seconds"})


ORDER = 70
BACKENDS = {"sqlite", "postgresql"}
CASES = {"breach_assess": breach_assess}
