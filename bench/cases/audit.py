"""Audit verify of a long log (issue 8, case 6)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from harness import ENV, HERE, POLICY, Timed

# The size; smaller shops get 5 entries per customer, so the CI
# smoke run (--customers 2000) verifies 10,000.
ENTRIES = 1_000_000
ENTRIES_PER_CUSTOMER = 5
# The log is written by real access batches on a small shop: what the
# entries hold (pseudonyms, per-table counts) does not depend on its size.
SHOP_CUSTOMERS = 2000
# dsr reads at most 100,000 subjects from one --subjects-file (cli/subject.cpp).
SUBJECTS_PER_FILE = 100_000


def audit_log(bench, entries):
    """A state store whose audit log holds ENTRIES real entries, and its keys,
    cached: `dsr access --subjects-file` of ENTRIES / 2 subjects (an intent
    and a done entry each), cycling over the customers of a small shop, in
    files of SUBJECTS_PER_FILE.
    Writing a million takes minutes, once."""
    cache = Path(os.environ.get("DSR_BENCH_CACHE", HERE / "cache"))
    done = cache / f"audit-{entries}"
    if done.exists():
        return done / "state.db", done / "keys"
    print(f"writing an audit log of {entries} entries in {done} (cached for later runs)", file=sys.stderr)
    partial = cache / f"audit-{entries}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    subprocess.run([bench.dsr, "keygen", "--keys", partial / "keys"], check=True, stdout=subprocess.DEVNULL,
                   env=ENV)
    shop = bench.cached_shop(min(bench.args.customers, SHOP_CUSTOMERS))
    customers = min(bench.args.customers, SHOP_CUSTOMERS)
    subjects = partial / "subjects.txt"
    for first in range(0, entries // 2, SUBJECTS_PER_FILE):
        last = min(first + SUBJECTS_PER_FILE, entries // 2)
        subjects.write_text("".join(f"customer_id={n % customers + 1}\n" for n in range(first, last)))
        subprocess.run([bench.dsr, "access", "--policy", POLICY, "--db", shop, "--state", partial / "state.db",
                        "--keys", partial / "keys", "--subjects-file", subjects],
                       check=True, stdout=subprocess.DEVNULL, env=ENV)
    subjects.unlink()
    partial.rename(done)
    return done / "state.db", done / "keys"


def audit_verify(bench):
    """`dsr audit verify` of the whole log: every entry's hash recomputed,
    every signed head checked (target 3 s for 1,000,000 entries)."""
    entries = min(ENTRIES, bench.args.customers * ENTRIES_PER_CUSTOMER)
    state, keys = audit_log(bench, entries)
    runs = [Timed(bench.work, [bench.dsr, "audit", "verify", "--state", state, "--keys", keys, "--format", "json"])
            for _ in range(max(bench.args.repetitions, 3))]
    report = json.loads(runs[-1].stdout)
    bench.record("audit_verify", runs, [], {"entries": entries, "report_status": report.get("status"),
                                            "target_s": 3.0 * entries / ENTRIES})


ORDER = 50
CASES = {"audit_verify": audit_verify}
