"""Access: a batch of subjects in one process, and one subject as an operator feels it."""
import json
import sys

from harness import POLICY, Timed, base_json_rows, median, remove_db, sql_text


# What the baseline's script starts with: JSON arrays out. sqlite3 has a
# JSON mode; access.pg.sql builds the arrays itself (json_agg), and psql
# only has to leave out its command tags (BEGIN, COMMIT).
JSON_OUTPUT = {"sqlite": ".mode json\n", "postgresql": "\\set QUIET on\n"}


def access_batch(bench):
    """1,000 subjects (fewer on a small shop): one JSON report per line
    against one transaction of per-table SELECTs per subject, as JSON arrays."""
    subjects = bench.subjects(1000)
    batch = bench.work / "access-subjects.txt"
    batch.write_text("".join(f"customer_id={i}\n" for i, _ in subjects))
    baseline = bench.work / "access.sql"
    template = bench.baseline("access")
    with open(baseline, "w") as out:
        out.write(JSON_OUTPUT[bench.backend])
        for i, email in subjects:
            out.write(template.replace(":id", str(i)).replace(":email", sql_text(email)))
    dsr_runs, base_runs = [], []
    for _ in range(bench.args.repetitions):
        state = bench.work / "access-state.db"
        remove_db(state)
        dsr_runs.append(Timed(bench.work, [bench.dsr, "access", "--policy", POLICY, "--db", bench.shop,
                               "--state", state, "--keys", bench.keys, "--format", "json",
                               "--subjects-file", batch], stdout=bench.work / "dsr-access.jsonl"))
        base_runs.append(Timed(bench.work, bench.shell(bench.shop), stdin=baseline,
                               stdout=bench.work / "base-access.json"))
    # Both must have read the same rows, or the comparison means nothing.
    reports, dsr_rows = 0, 0
    with open(bench.work / "dsr-access.jsonl") as lines:
        for line in lines:
            reports += 1
            dsr_rows += sum(t["row_count"] for t in json.loads(line)["tables"])
    base_rows = base_json_rows(bench.work / "base-access.json")
    if dsr_rows != base_rows:
        sys.exit(f"bench: access_batch: dsr reported {dsr_rows} rows, the baseline read {base_rows}")
    per_subject_ms = median([r.seconds for r in dsr_runs]) / len(subjects) * 1000
    bench.record("access_batch", dsr_runs, base_runs,
                {"subjects": len(subjects), "reports": reports, "rows": dsr_rows,
                 "dsr_per_subject_ms": round(per_subject_ms, 2)})


def access_single(bench):
    """One subject, one process, startup included (no baseline: the target
    is absolute, 50 ms); and `dsr --help` (target 10 ms)."""
    (i, _), = bench.subjects(1)
    runs = []
    for _ in range(max(bench.args.repetitions, 5)):
        state = bench.work / "single-state.db"
        remove_db(state)
        runs.append(Timed(bench.work, [bench.dsr, "access", "--policy", POLICY, "--db", bench.shop,
                           "--state", state, "--keys", bench.keys, "--format", "json",
                           "--subject", f"customer_id={i}"], stdout=bench.work / "single.json"))
    bench.record("access_single", runs, [], {"target_s": 0.05})
    # Starting any process from this harness (Python's fork, GNU time) costs
    # several milliseconds of its own: /bin/true timed the same way is the
    # floor, shown beside dsr's figure (hyperfine, in bench/README.md, has none).
    helps, floor = [], []
    for _ in range(max(bench.args.repetitions, 10)):
        helps.append(Timed(bench.work, [bench.dsr, "--help"]))
        floor.append(Timed(bench.work, ["/bin/true"]))
    bench.record("help", helps, [], {"target_s": 0.01,
                                     "harness_floor_s": round(median([r.seconds for r in floor]), 4)})


ORDER = 10
BACKENDS = {"sqlite", "postgresql"}
CASES = {"access_batch": access_batch, "access_single": access_single}
