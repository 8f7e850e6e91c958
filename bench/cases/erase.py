"""Erase: a batch of subjects, one transaction each, against the same
per-table statements written by hand."""
import json
import statistics
import subprocess
import sys

from harness import NOW, POLICY, Timed, median, remove_db, sql_text

# The columns policies/shop.yaml pseudonymises: dsr writes a keyed BLAKE2b,
# the baseline a SHA-3 of the same shape, so the end states are compared on
# the shape of these values ('dsr-', 32 hex digits, '@erased.invalid').
PSEUDONYMISED = {("customers", "email"), ("orders", "email")}
PSEUDONYM_GLOB = "dsr-" + "[0-9a-f]" * 32 + "@erased.invalid"
# Where a subject's email may be found before the erasure.
EMAIL_COLUMNS = (("customers", "email"), ("orders", "email"), ("support_tickets", "email"),
                 ("newsletter_events", "email"))


def column_exprs(bench, table):
    names = [line.split("|")[1] for line in bench.sql(f"PRAGMA table_info({table})").splitlines()]
    return ", ".join(
        f"CASE WHEN \"{c}\" GLOB '{PSEUDONYM_GLOB}' THEN 'pseudonym' ELSE \"{c}\" END"
        if (table, c) in PSEUDONYMISED else f'"{c}"' for c in names)


def end_state_differences(bench, dsr_db, base_db, tables, emails):
    """Per table: rows only dsr's copy holds, rows only the baseline's holds
    (pseudonyms compared by shape), and the row counts; then the subjects'
    emails still present on either side. Empty when both reached the same state."""
    script = [f"ATTACH {sql_text(str(base_db))} AS b;",
              "CREATE TEMP TABLE subject_email(email TEXT PRIMARY KEY);",
              "INSERT INTO subject_email VALUES " + ", ".join(f"({sql_text(e)})" for e in emails) + ";"]
    for table in tables:
        exprs = column_exprs(bench, table)
        script.append(
            f"SELECT '{table}', (SELECT count(*) FROM (SELECT {exprs} FROM main.\"{table}\" EXCEPT "
            f"SELECT {exprs} FROM b.\"{table}\")), (SELECT count(*) FROM (SELECT {exprs} FROM "
            f"b.\"{table}\" EXCEPT SELECT {exprs} FROM main.\"{table}\")), "
            f"(SELECT count(*) FROM main.\"{table}\"), (SELECT count(*) FROM b.\"{table}\");")
    for table, column in EMAIL_COLUMNS:
        script.append(
            f"SELECT 'email left in {table}', (SELECT count(*) FROM main.\"{table}\" WHERE \"{column}\" "
            f"IN subject_email), (SELECT count(*) FROM b.\"{table}\" WHERE \"{column}\" IN subject_email), 0, 0;")
    out = subprocess.run(bench.shell(dsr_db), input="\n".join(script) + "\n", text=True, check=True,
                         capture_output=True).stdout
    problems = []
    for line in out.splitlines():
        what, only_dsr, only_base, dsr_rows, base_rows = line.split("|")
        if what.startswith("email left"):
            if only_dsr != "0" or only_base != "0":
                problems.append(f"{what}: dsr {only_dsr}, baseline {only_base}")
        elif only_dsr != "0" or only_base != "0" or dsr_rows != base_rows:
            problems.append(f"{what}: {only_dsr} rows only in dsr's copy, {only_base} only in the "
                            f"baseline's; {dsr_rows} rows against {base_rows}")
    return problems


def erase_batch(bench):
    """1,000 customers (fewer on a small shop) erased by one `dsr erase
    --subjects-file --yes` (intent, erasure, verification, ledger and done
    entries for each), against bench/baseline/erase.sql once per subject,
    each on a fresh copy; both must leave the same end state."""
    subjects = bench.subjects(1000)
    batch = bench.work / "erase-subjects.txt"
    batch.write_text("".join(f"customer_id={i}\n" for i, _ in subjects))
    emails = [email for _, email in subjects if email]
    template = bench.baseline("erase").replace(":now", NOW)
    baseline = bench.work / "erase.sql"
    with open(baseline, "w") as out:
        # total_changes after each statement: the rows the baseline deleted or changed.
        out.write(".changes on\n")
        for i, email in subjects:
            out.write(template.replace(":id", str(i)).replace(":email", sql_text(email)))
    tables = [t for t in bench.sql("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
                                   "'sqlite_%' ORDER BY name").split()]
    dsr_runs, base_runs, per_subject_ms = [], [], []
    totals = {}
    for _ in range(bench.args.repetitions):
        dsr_db = bench.fresh_copy("erase-dsr.db")
        state = bench.work / "erase-state.db"
        remove_db(state)
        # Exit 7 (partial): held rows were kept, as the tax hold requires.
        run = Timed(bench.work, [bench.dsr, "erase", "--policy", POLICY, "--db", dsr_db, "--state", state,
                                 "--keys", bench.keys, "--format", "json", "--yes",
                                 "--subjects-file", batch],
                    stdout=bench.work / "dsr-erase.jsonl", ok=(0, 7))
        dsr_runs.append(run)
        reports = [json.loads(line) for line in open(bench.work / "dsr-erase.jsonl")]
        failed = [r for r in reports if r["status"] not in ("ok", "partial")
                  or not r["verification"]["passed"]]
        if len(reports) != len(subjects) or failed:
            sys.exit(f"bench: erase_batch: {len(reports)} reports for {len(subjects)} subjects, "
                     f"{len(failed)} not erased and verified")
        per_subject_ms += [r["duration_ms"] for r in reports]
        totals = {k: sum(r["erasure"]["totals"][k] for r in reports)
                  for k in ("matched", "deleted", "masked", "kept_under_hold", "cascaded")}
        base_db = bench.fresh_copy("erase-base.db")
        run = Timed(bench.work, bench.shell(base_db), stdin=baseline)
        base_runs.append(run)
        base_changed = int(run.stdout.rsplit("total_changes: ", 1)[1].split()[0])
        dsr_changed = totals["deleted"] + totals["masked"] + totals["cascaded"]
        # The comparison means nothing unless both did the same.
        if base_changed != dsr_changed:
            sys.exit(f"bench: erase_batch: dsr deleted or masked {dsr_changed} rows, "
                     f"the baseline {base_changed}")
        problems = end_state_differences(bench, dsr_db, base_db, tables, emails)
        if problems:
            sys.exit("bench: erase_batch: dsr and the baseline left different end states: "
                     + "; ".join(problems))
        remove_db(dsr_db)
        remove_db(base_db)
    # Per subject: each side's median run over the subjects (startup
    # included, as access_batch), and the median of dsr's own per-subject
    # durations (its reports' duration_ms: intent to done entry).
    def per_subject(runs):
        return round(median([r.seconds for r in runs]) / len(subjects) * 1000, 2)

    bench.record("erase_batch", dsr_runs, base_runs, {
        "subjects": len(subjects), "rows_deleted": totals["deleted"], "rows_masked": totals["masked"],
        "rows_kept_under_hold": totals["kept_under_hold"],
        "dsr_per_subject_ms": per_subject(dsr_runs), "baseline_per_subject_ms": per_subject(base_runs),
        "dsr_subject_median_ms": round(statistics.median(per_subject_ms), 2)})


ORDER = 20
CASES = {"erase_batch": erase_batch}
