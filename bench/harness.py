"""What every benchmark case shares: timing a process, the cached shop,
fresh copies, the subjects, and the table of results."""
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POLICY = ROOT / "policies" / "shop.yaml"
# The generator's reference date and dsr's clock: the shop's retention
# boundaries then fall the same way on every run.
SHOP_DATE = "2026-11-01"
NOW = "2026-11-20"
ENV = dict(os.environ, DSR_NOW=NOW + "T03:00:00Z")


class Timed:
    """One process run: its wall seconds, its own peak RSS (KiB, from wait4)
    and its standard output (kept in a file, so a large output costs the
    process what writing it to disk costs)."""

    def __init__(self, work, argv, stdin=None, stdout=None, ok=(0,)):
        out_path = Path(stdout) if stdout else Path(work) / "timed.out"
        err_path = Path(work) / "timed.err"
        with open(stdin or os.devnull, "rb") as stdin_file, open(out_path, "wb") as out_file, \
                open(err_path, "wb") as err_file:
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdin=stdin_file, stdout=out_file, stderr=err_file, env=ENV)
            _, status, usage = os.wait4(proc.pid, 0)
            self.seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        self.peak_rss_kib = usage.ru_maxrss
        self.stdout = "" if stdout else out_path.read_text()
        if proc.returncode not in ok:
            sys.exit(f"bench: {' '.join(map(str, argv))} exited {proc.returncode}: "
                     f"{err_path.read_text()[-2000:]}")


def median(values):
    return statistics.median(values) if values else None


class Bench:
    def __init__(self, args):
        self.args = args
        build = Path(os.environ.get("DSR_BUILD", ROOT / "build"))
        self.dsr = build / "dsr"
        self.shopgen = build / "dsr-shopgen"
        for tool in (self.dsr, self.shopgen):
            if not os.access(tool, os.X_OK):
                sys.exit(f"bench: {tool} is not built (scripts/demo or cmake --build build; "
                         "DSR_BUILD names another build)")
        if not shutil.which("sqlite3"):
            sys.exit("bench: sqlite3 is not installed (apt-get install sqlite3)")
        self.work = Path(tempfile.mkdtemp(prefix="dsr-bench."))
        self.results = []
        self.shop = self.cached_shop(args.customers)
        self.keys = self.work / "keys"
        subprocess.run([self.dsr, "keygen", "--keys", self.keys], check=True,
                       stdout=subprocess.DEVNULL, env=ENV)

    def cached_shop(self, customers):
        cache = Path(os.environ.get("DSR_BENCH_CACHE", HERE / "cache"))
        cache.mkdir(parents=True, exist_ok=True)
        shop = cache / f"shop-{customers}.db"
        if not shop.exists():
            print(f"generating a {customers}-customer shop in {shop} (cached for later runs)",
                  file=sys.stderr)
            partial = shop.with_suffix(".partial")
            subprocess.run([self.shopgen, "--customers", str(customers), "--seed", "1",
                            "--now", SHOP_DATE, "--out", partial, "--force"],
                           check=True, stdout=subprocess.DEVNULL)
            partial.rename(shop)
        return shop

    def sql(self, query):
        return subprocess.run(["sqlite3", self.shop, query], check=True, capture_output=True,
                              text=True).stdout

    def fresh_copy(self, name):
        copy = self.work / name
        shutil.copyfile(self.shop, copy)
        # Written back now, or the first fsync of the run that follows waits
        # for the copy's dirty pages and its time (and its lock) looks long.
        os.sync()
        return copy

    def subjects(self, count):
        ids = [int(x) for x in self.sql("SELECT id FROM customers ORDER BY id").split()]
        chosen = sorted(random.Random(1).sample(ids, min(count, len(ids))))
        emails = dict(line.split("|", 1) for line in self.sql(
            "SELECT id, email FROM customers WHERE email IS NOT NULL").splitlines())
        return [(i, emails.get(str(i))) for i in chosen]

    def record(self, case, dsr_runs, base_runs, figures):
        dsr_median = median([r.seconds for r in dsr_runs])
        base_median = median([r.seconds for r in base_runs]) if base_runs else None
        row = {
            "case": case,
            "dsr_median_s": round(dsr_median, 4),
            "baseline_median_s": round(base_median, 4) if base_median else None,
            "ratio": round(dsr_median / base_median, 3) if base_median else None,
            "repetitions": len(dsr_runs),
            "dsr_peak_rss_kib": max(r.peak_rss_kib for r in dsr_runs),
        }
        row.update(figures)
        self.results.append(row)
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        base = f"{base_median:.3f}" if base_median else "-"
        extra = "  ".join(f"{k}={v}" for k, v in figures.items())
        print(f"{case:<22} {dsr_median:>9.3f} {base:>9} {ratio:>6}  {extra}", flush=True)


def sql_text(value):
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def base_json_rows(path):
    """Rows in sqlite3's .mode json output: one JSON array per SELECT that
    returned rows, each array's objects one per row."""
    rows, decoder, text = 0, json.JSONDecoder(), Path(path).read_text()
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return rows
        array, position = decoder.raw_decode(text, position)
        rows += len(array)


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
