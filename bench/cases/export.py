"""Export of one subject with a very large history (issue 8, case 5)."""
import json
import os
import subprocess
import sys
from pathlib import Path

from harness import HERE, POLICY, SHOP_DATE, Timed, remove_db, sql_text, with_dbname

# What the baseline's script starts with: sqlite3's JSON mode; on
# PostgreSQL the server writes the JSON (export.pg.sql) and psql only has to
# leave out its command tags (BEGIN, COMMIT).
JSON_OUTPUT = {"sqlite": ".mode json\n", "postgresql": "\\set QUIET on\n"}

# The size; smaller shops get 100 rows per customer, so the CI smoke
# run (--customers 2000) exports 200,000 rows in a second or so.
HEAVY_ROWS = 1_000_000
ROWS_PER_CUSTOMER = 100
# The rest of the shop hardly matters to one subject's indexed reads.
FEW_CUSTOMERS = 1000


def heavy_shop(bench, customers, rows):
    """A shop of CUSTOMERS customers plus the heavy subject, customer
    CUSTOMERS + 1 with ROWS rows (dsr-shopgen --heavy-subject-rows), cached
    beside the harness's shops (on PostgreSQL, see pg_heavy_shop)."""
    if bench.backend == "postgresql":
        return pg_heavy_shop(bench, customers, rows)
    cache = Path(os.environ.get("DSR_BENCH_CACHE", HERE / "cache"))
    cache.mkdir(parents=True, exist_ok=True)
    shop = cache / f"shop-{customers}-heavy-{rows}.db"
    if not shop.exists():
        print(f"generating a {customers}-customer shop with a {rows}-row subject in {shop} "
              "(cached for later runs)", file=sys.stderr)
        partial = shop.with_suffix(".partial")
        subprocess.run([bench.shopgen, "--customers", str(customers), "--heavy-subject-rows", str(rows),
                        "--seed", "1", "--now", SHOP_DATE, "--out", partial, "--force"],
                       check=True, stdout=subprocess.DEVNULL)
        partial.rename(shop)
    return shop


def pg_heavy_shop(bench, customers, rows):
    """The same shop as database dsr_bench_CUSTOMERS_heavy_ROWS, kept on
    DSR_BENCH_PG's server or made for the run on the throw-away cluster, and
    named so only when complete, as Bench.pg_cached_shop does."""
    name = f"dsr_bench_{customers}_heavy_{rows}"
    if bench.pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() != "1":
        partial = name + "_partial"
        where = "the throw-away cluster" if bench.pg_cluster else "DSR_BENCH_PG, kept for later runs"
        print(f"generating a {customers}-customer shop with a {rows}-row subject in database {name} "
              f"on {where}", file=sys.stderr)
        bench.pg_admin(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
        bench.pg_admin(f'CREATE DATABASE "{partial}"')
        subprocess.run([bench.shopgen, "--customers", str(customers), "--heavy-subject-rows", str(rows),
                        "--seed", "1", "--now", SHOP_DATE, "--out", with_dbname(bench.pg_server, partial)],
                       check=True, stdout=subprocess.DEVNULL)
        bench.pg_admin(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    return with_dbname(bench.pg_server, name)


def json_row_lines(path, skip_prefix=None):
    """Rows in a file that writes one JSON object per line: sqlite3's .mode
    json ("[{...},", "{...},", "{...}]"), export.pg.sql's ("{...}") and
    dsr's export ("{...}," under each table, after a first line holding the
    manifest). Read line by line, as a million rows parsed whole would take
    gigabytes."""
    rows = 0
    with open(path, "rb") as lines:
        for line in lines:
            if skip_prefix and line.startswith(skip_prefix):
                continue
            if line.startswith(b"{") or line.startswith(b"[{"):
                rows += 1
    return rows


def export_heavy(bench):
    """dsr export (JSON, unencrypted, to a file) of the heavy subject against
    export.sql: one transaction of the same per-table SELECTs in .mode json,
    to a file (export.pg.sql: rows as JSON objects through psql). Both must
    write the same number of rows."""
    customers = min(bench.args.customers, FEW_CUSTOMERS)
    rows = min(HEAVY_ROWS, bench.args.customers * ROWS_PER_CUSTOMER)
    shop = heavy_shop(bench, customers, rows)
    subject = customers + 1
    email = bench.sql(f"SELECT email FROM customers WHERE id = {subject}", db=shop).strip()
    baseline = bench.work / "export.sql"
    template = bench.baseline("export")
    baseline.write_text(JSON_OUTPUT[bench.backend]
                        + template.replace(":id", str(subject)).replace(":email", sql_text(email)))
    dsr_out, base_out = bench.work / "dsr-export.json", bench.work / "base-export.json"
    dsr_runs, base_runs, reports = [], [], []
    for _ in range(bench.args.repetitions):
        state = bench.work / "export-state.db"
        remove_db(state)
        dsr_out.unlink(missing_ok=True)
        run = Timed(bench.work, [bench.dsr, "export", "--policy", POLICY, "--db", shop, "--state", state,
                                 "--keys", bench.keys, "--subject", f"customer_id={subject}",
                                 "--format", "json", "--output", dsr_out, "--report-format", "json"])
        reports.append(json.loads(run.stdout))
        dsr_runs.append(run)
        base_out.unlink(missing_ok=True)
        base_runs.append(Timed(bench.work, bench.shell(shop), stdin=baseline, stdout=base_out))
    # Both must have written the same rows, or the comparison means nothing;
    # and dsr's file must hold what its report says.
    dsr_rows = reports[-1]["totals"]["rows"]
    in_file = json_row_lines(dsr_out, skip_prefix=b'{"manifest":')
    base_rows = json_row_lines(base_out)
    if not dsr_rows == in_file == base_rows == rows:
        sys.exit(f"bench: export_heavy: the subject has {rows} rows; dsr reported {dsr_rows} "
                 f"and its file holds {in_file}, the baseline wrote {base_rows}")
    bench.record("export_heavy", dsr_runs, base_runs,
                 {"rows": dsr_rows, "dsr_bytes": dsr_out.stat().st_size, "baseline_bytes": base_out.stat().st_size,
                  "target_peak_rss_kib": 64 * 1024, "target_ratio": 1.5})


ORDER = 40
BACKENDS = {"sqlite", "postgresql"}
CASES = {"export_heavy": export_heavy}
