"""Erase: a batch of subjects, one transaction each, against the same
per-table statements written by hand."""
import json
import re
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


def pg_end_state_differences(bench, dsr_db, base_db, tables, emails):
    """end_state_differences on PostgreSQL, where one query cannot read two
    databases: each side's tables are summed up apart (row count and an
    order-free fingerprint, the sum of a 64-bit hash of each row, pseudonyms
    by their shape), then compared; and the subjects' emails still present."""
    pseudonym = "^dsr-[0-9a-f]{32}@erased\\.invalid$"
    email_list = ", ".join(sql_text(e) for e in emails) or "NULL"
    queries = []
    for table in tables:
        names = bench.sql("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                          f"AND table_name = '{table}' ORDER BY ordinal_position").split()
        exprs = ", ".join(f"CASE WHEN \"{c}\" ~ '{pseudonym}' THEN 'pseudonym' ELSE \"{c}\" END"
                          if (table, c) in PSEUDONYMISED else f'"{c}"' for c in names)
        queries.append(f"SELECT '{table}', count(*), COALESCE(sum(hashtextextended(CAST(ROW({exprs}) AS text), 0)"
                       f"::numeric), 0) FROM \"{table}\";")
    for table, column in EMAIL_COLUMNS:
        queries.append(f"SELECT 'email left in {table}', count(*), 0 FROM \"{table}\" "
                       f"WHERE \"{column}\" IN ({email_list});")

    def summary(db):
        out = subprocess.run(bench.shell(db), input="\n".join(queries) + "\n", text=True, check=True,
                             capture_output=True).stdout
        return {line.split("|")[0]: line.split("|")[1:] for line in out.splitlines() if line}

    dsr, base = summary(dsr_db), summary(base_db)
    problems = []
    for what in dsr:
        if what.startswith("email left"):
            if dsr[what][0] != "0" or base[what][0] != "0":
                problems.append(f"{what}: dsr {dsr[what][0]}, baseline {base[what][0]}")
        elif dsr[what] != base[what]:
            problems.append(f"{what}: {dsr[what][0]} rows against {base[what][0]}"
                            + ("" if dsr[what][0] != base[what][0] else ", different contents"))
    return problems


def baseline_changed(backend, output):
    """Rows the baseline deleted or changed, from the shell's output:
    sqlite3's total_changes after the last statement, psql's command tags."""
    if backend == "sqlite":
        return int(output.rsplit("total_changes: ", 1)[1].split()[0])
    return sum(int(n) for n in re.findall(r"^(?:DELETE|UPDATE) (\d+)$", output, re.M))


def erase_batch(bench):
    """1,000 customers (fewer on a small shop) erased by one `dsr erase
    --subjects-file --yes` (intent, erasure, verification, ledger and done
    entries for each), against bench/baseline/erase.sql (erase.pg.sql) once per subject,
    each on a fresh copy; both must leave the same end state."""
    subjects = bench.subjects(1000)
    batch = bench.work / "erase-subjects.txt"
    batch.write_text("".join(f"customer_id={i}\n" for i, _ in subjects))
    emails = [email for _, email in subjects if email]
    template = bench.baseline("erase").replace(":now", NOW)
    baseline = bench.work / "erase.sql"
    with open(baseline, "w") as out:
        # sqlite3: total_changes after each statement, the rows the baseline
        # deleted or changed (psql prints its command tags, "DELETE 3").
        if bench.backend == "sqlite":
            out.write(".changes on\n")
        for i, email in subjects:
            out.write(template.replace(":id", str(i)).replace(":email", sql_text(email)))
        # In WAL mode (--sqlite-journal wal) erased values stay in the log
        # until a checkpoint copies the pages back; dsr empties it after each
        # subject, the baseline once, at the end (in rollback mode, nothing).
        if bench.backend == "sqlite":
            out.write("PRAGMA wal_checkpoint(TRUNCATE);\n")
    tables = bench.sql("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                       "ORDER BY name" if bench.backend == "sqlite" else
                       "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                       "AND table_type = 'BASE TABLE' ORDER BY table_name").split()
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
        base_changed = baseline_changed(bench.backend, run.stdout)
        dsr_changed = totals["deleted"] + totals["masked"] + totals["cascaded"]
        # The comparison means nothing unless both did the same.
        if base_changed != dsr_changed:
            sys.exit(f"bench: erase_batch: dsr deleted or masked {dsr_changed} rows, "
                     f"the baseline {base_changed}")
        compare = end_state_differences if bench.backend == "sqlite" else pg_end_state_differences
        problems = compare(bench, dsr_db, base_db, tables, emails)
        if problems:
            sys.exit("bench: erase_batch: dsr and the baseline left different end states: "
                     + "; ".join(problems))
        if bench.backend == "sqlite":  # (PostgreSQL copies are dropped with the Bench)
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
BACKENDS = {"sqlite", "postgresql"}
CASES = {"erase_batch": erase_batch}
