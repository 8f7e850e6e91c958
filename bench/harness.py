"""What every benchmark case shares: timing a process, the cached shop,
fresh copies, the subjects, and the table of results, on SQLite or on
PostgreSQL (one Bench per backend)."""
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POLICY = ROOT / "policies" / "shop.yaml"
# The generator's reference date and dsr's clock: the shop's retention
# boundaries then fall the same way on every run.
SHOP_DATE = "2026-11-01"
NOW = "2026-11-20"
ENV = dict(os.environ, DSR_NOW=NOW + "T03:00:00Z", PGCLIENTENCODING="UTF8")
BACKENDS = ("sqlite", "postgresql")
# The throw-away cluster of the test suite (its header says how it runs).
CLUSTER = ROOT / "tests" / "pg" / "cluster.sh"


class Timed:
    """One process run: its wall seconds, its own peak RSS (KiB) and its
    standard output (kept in a file, so a large output costs the process
    what writing it to disk costs).

    The peak RSS comes from GNU time, not from this process's wait4: Linux
    carries a process's high-water mark across fork and exec, so a child of
    this (large) Python process would report the harness's memory as its
    own. time is small, and the command is its child."""

    def __init__(self, work, argv, stdin=None, stdout=None, ok=(0,)):
        out_path = Path(stdout) if stdout else Path(work) / "timed.out"
        err_path = Path(work) / "timed.err"
        rss_path = Path(work) / "timed.rss"
        timed_argv = ["/usr/bin/time", "-f", "%M", "-o", rss_path, *argv]
        with open(stdin or os.devnull, "rb") as stdin_file, open(out_path, "wb") as out_file, \
                open(err_path, "wb") as err_file:
            start = time.perf_counter()
            proc = subprocess.run(timed_argv, stdin=stdin_file, stdout=out_file, stderr=err_file, env=ENV)
            self.seconds = time.perf_counter() - start
        # The last line: before it, time notes a command that failed or was killed.
        self.peak_rss_kib = int(rss_path.read_text().split()[-1])
        self.stdout = "" if stdout else out_path.read_text()
        if proc.returncode not in ok:
            sys.exit(f"bench: {' '.join(map(str, argv))} exited {proc.returncode}: "
                     f"{err_path.read_text()[-2000:]}")


def median(values):
    return statistics.median(values) if values else None


class Bench:
    """The shop of one backend and what cases ask of it.

    SQLite: `shop` is the cached file, copies are files. PostgreSQL: `shop`
    is the libpq keyword string of database dsr_bench_N, on the server
    DSR_BENCH_PG names (a keyword string or URI; the shop is kept there
    between runs, so it is generated once per size) or else on a throw-away
    cluster started by tests/pg/cluster.sh for this run (the shop is
    generated each run and dies with the cluster); copies are CREATE
    DATABASE ... TEMPLATE, dropped when the Bench closes. Either way `shop`
    and the copies are what dsr's --db takes, and `shell(db)` is the SQL
    shell an operator would use on them."""

    def __init__(self, args, backend="sqlite", results=None):
        self.args = args
        self.backend = backend
        # What the table's backend column says: a WAL run is told apart.
        self.label = "sqlite-wal" if backend == "sqlite" and args.sqlite_journal == "wal" else backend
        build = Path(os.environ.get("DSR_BUILD", ROOT / "build"))
        self.dsr = build / "dsr"
        self.shopgen = build / "dsr-shopgen"
        for tool in (self.dsr, self.shopgen):
            if not os.access(tool, os.X_OK):
                sys.exit(f"bench: {tool} is not built (scripts/demo or cmake --build build; "
                         "DSR_BUILD names another build)")
        if backend not in BACKENDS:
            sys.exit(f"bench: unknown backend '{backend}' (known: {', '.join(BACKENDS)})")
        if backend == "sqlite" and not shutil.which("sqlite3"):
            sys.exit("bench: sqlite3 is not installed (apt-get install sqlite3)")
        self.work = Path(tempfile.mkdtemp(prefix="dsr-bench."))
        self.results = [] if results is None else results
        self.pg_cluster = None  # the directory of the cluster this Bench started
        self.pg_copies = []     # databases fresh_copy made, dropped by close()
        self._shop = None
        self._pg_version = None
        try:
            if backend == "postgresql":
                self.psql = pg_program("psql")
                self.pg_server = self.pg_server_conninfo()
            self.keys = self.work / "keys"
            subprocess.run([self.dsr, "keygen", "--keys", self.keys], check=True,
                           stdout=subprocess.DEVNULL, env=ENV)
        except BaseException:
            self.close()
            raise

    def close(self):
        """Drops the copies, stops the cluster this Bench started, deletes
        the work directory. Idempotent."""
        if not self.pg_cluster:  # (a cluster of our own goes whole)
            for copy in self.pg_copies:
                self.pg_admin(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)', check=False)
        self.pg_copies = []
        if self.pg_cluster:
            subprocess.run([CLUSTER, "stop", self.pg_cluster], stderr=subprocess.DEVNULL)
            self.pg_cluster = None
        shutil.rmtree(self.work, ignore_errors=True)

    @property
    def shop(self):
        """The generated shop, made (or found in the cache) when a case
        first asks: a case with a schema of its own needs none."""
        if self._shop is None:
            if self.backend == "postgresql":
                self._shop = self.pg_cached_shop(self.args.customers)
            else:
                self._shop = self.cached_shop(self.args.customers)
        return self._shop

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

    def sql(self, query, db=None):
        """QUERY's output on the shop (or DB), columns separated by |, as
        both shells print by default."""
        statement = ["-c", query] if self.backend == "postgresql" else [query]
        argv = self.shell(db or self.shop) + statement
        return subprocess.run(argv, check=True, capture_output=True, text=True, env=ENV).stdout

    def shell(self, db):
        """The argv of the SQL shell on DB (a file or a keyword string),
        stopping at the first error, reading a script from stdin. psql:
        unaligned (columns separated by |, as sqlite3's default), tuples
        only, no psqlrc."""
        if self.backend == "sqlite":
            return ["sqlite3", "-bail", db]
        return [self.psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db]

    def baseline(self, name):
        """The text of bench/baseline/NAME.sql, or NAME.pg.sql on PostgreSQL
        where the two dialects need different SQL."""
        pg = HERE / "baseline" / (name + ".pg.sql")
        if self.backend == "postgresql" and pg.exists():
            return pg.read_text()
        return (HERE / "baseline" / (name + ".sql")).read_text()

    # The shell command that prints each statement's time, and those times
    # in milliseconds from the shell's output (sqlite3: "Run Time: real S
    # user S sys S"; psql: "Time: MS ms" or "Time: MS ms (mm:ss.fff)").
    def timer_on(self):
        return ".timer on\n" if self.backend == "sqlite" else "\\timing on\n"

    def statement_ms(self, output):
        if self.backend == "sqlite":
            return [1000 * float(line.split()[3]) for line in output.splitlines()
                    if line.startswith("Run Time:")]
        return [float(line.split()[1]) for line in output.splitlines() if line.startswith("Time: ")]

    def fresh_copy(self, name):
        if self.backend == "postgresql":
            return self.pg_fresh_copy(name)
        copy = self.work / name
        shutil.copyfile(self.shop, copy)
        if self.args.sqlite_journal != "delete":
            subprocess.run(["sqlite3", copy, f"PRAGMA journal_mode = {self.args.sqlite_journal}"], check=True,
                           stdout=subprocess.DEVNULL)
        # Written back now, or the first fsync of the run that follows waits
        # for the copy's dirty pages and its time (and its lock) looks long.
        os.sync()
        return copy

    def discard_copy(self, db):
        """Removes a copy fresh_copy made, once its run is read. On
        PostgreSQL a copy left in place is vacuumed by the server's
        autovacuum during the next timed run (a purge leaves millions of
        dead rows), and dsr and the baseline take turns, so each would be
        timed beside the other's cleanup."""
        if self.backend == "sqlite":
            remove_db(db)
            return
        self.pg_admin(f'DROP DATABASE IF EXISTS "{dbname_of(db)}" WITH (FORCE)')

    def empty_database(self, name):
        """A new empty database for a case's own schema: a file in the work
        directory, or a database on the server (dropped by close())."""
        if self.backend == "sqlite":
            path = self.work / name
            remove_db(path)
            return path
        database = self.pg_database_name(name)
        self.pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.pg_copies.append(database)
        self.pg_admin(f'CREATE DATABASE "{database}"')
        return with_dbname(self.pg_server, database)

    def policy_url(self, db):
        """DB as a policy's databases url (sqlite:PATH or postgresql://)."""
        return f"sqlite:{db}" if self.backend == "sqlite" else as_uri(str(db))

    def run_script(self, db, script):
        """Runs SQL text SCRIPT on DB (untimed: for setting up a case)."""
        argv = self.shell(db) + (["-1", "-q"] if self.backend == "postgresql" else [])
        subprocess.run(argv, input=script, text=True, check=True, stdout=subprocess.DEVNULL, env=ENV)

    # --- PostgreSQL ---

    def pg_server_conninfo(self):
        """DSR_BENCH_PG, or a cluster started now in the work directory."""
        external = os.environ.get("DSR_BENCH_PG")
        if external:
            return external
        if not CLUSTER.exists():
            sys.exit(f"bench: {CLUSTER} is missing")
        cluster = self.work / "pg"
        start = subprocess.run([CLUSTER, "start", cluster], stderr=subprocess.PIPE, text=True)
        if start.returncode != 0:
            sys.exit(f"bench: cannot start a PostgreSQL cluster ({CLUSTER}): {start.stderr[-2000:]}")
        self.pg_cluster = cluster
        return (cluster / "conninfo").read_text().strip()

    def pg_admin(self, statement, check=True):
        """STATEMENT on the server's maintenance database (the dbname of
        DSR_BENCH_PG, else postgres): CREATE and DROP DATABASE."""
        run = subprocess.run([self.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-d", maintenance_conninfo(self.pg_server), "-c", statement],
                             capture_output=True, text=True, env=ENV)
        if check and run.returncode != 0:
            sys.exit(f"bench: psql: {statement}: {run.stderr.strip()}")
        return run.stdout

    def pg_cached_shop(self, customers):
        """Database dsr_bench_N, generated unless the server has it: under
        another name first, renamed when complete, so an interrupted
        generation is never taken for a shop."""
        name = f"dsr_bench_{customers}"
        if self.pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() != "1":
            partial = name + "_partial"
            where = "the throw-away cluster" if self.pg_cluster else "DSR_BENCH_PG, kept for later runs"
            print(f"generating a {customers}-customer shop in database {name} on {where}",
                  file=sys.stderr)
            self.pg_admin(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
            self.pg_admin(f'CREATE DATABASE "{partial}"')
            subprocess.run([self.shopgen, "--customers", str(customers), "--seed", "1",
                            "--now", SHOP_DATE, "--out", with_dbname(self.pg_server, partial)],
                           check=True, stdout=subprocess.DEVNULL)
            self.pg_admin(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
        return with_dbname(self.pg_server, name)

    def pg_database_name(self, name):
        # Unique to this run: an external server may hold another run's copies.
        return f"dsr_bench_{os.getpid()}_" + re.sub(r"[^a-z0-9]+", "_", name.lower())[:40]

    def pg_fresh_copy(self, name):
        template = self.shop
        database = self.pg_database_name(name)
        self.pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if database not in self.pg_copies:
            self.pg_copies.append(database)
        # FILE_COPY (PostgreSQL 15) copies the files and checkpoints, rather
        # than writing every page of the copy through the WAL.
        strategy = " STRATEGY FILE_COPY" if self.pg_version() >= 150000 else ""
        self.pg_admin(f'CREATE DATABASE "{database}" TEMPLATE "{dbname_of(template)}"{strategy}')
        # As for SQLite: the copy's dirty pages written back before the timed
        # run. And the server's: without a CHECKPOINT, the run that follows
        # another pays for the write-back of the WAL that one left (some
        # 2 GB after a purge), so dsr and the baseline, which take turns,
        # were each timed with the other's debt. Needs a superuser or
        # pg_checkpoint (PostgreSQL 15); without, the runs keep that noise.
        self.pg_admin("CHECKPOINT", check=False)
        os.sync()
        return with_dbname(self.pg_server, database)

    def pg_version(self):
        if self._pg_version is None:
            self._pg_version = int(self.pg_admin("SHOW server_version_num").strip())
        return self._pg_version

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
            "backend": self.backend,
            "dsr_median_s": round(dsr_median, 4),
            "baseline_median_s": round(base_median, 4) if base_median else None,
            "ratio": round(dsr_median / base_median, 3) if base_median else None,
            "repetitions": len(dsr_runs),
            "dsr_peak_rss_kib": max(r.peak_rss_kib for r in dsr_runs),
        }
        if base_runs:
            row["baseline_peak_rss_kib"] = max(r.peak_rss_kib for r in base_runs)
        row.update(figures)
        self.results.append(row)
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        base = f"{base_median:.3f}" if base_median else "-"
        rss = f"rss_mib={row['dsr_peak_rss_kib'] / 1024:.1f}"
        if base_runs:
            rss += f"/{row['baseline_peak_rss_kib'] / 1024:.1f}"
        extra = "  ".join([rss] + [f"{k}={v}" for k, v in figures.items()])
        print(f"{case:<22} {self.label:<10} {dsr_median:>9.3f} {base:>9} {ratio:>6}  {extra}",
              flush=True)

    def skip(self, case, reason):
        """A visible row for a case that does not run on this backend."""
        self.results.append({"case": case, "backend": self.backend, "skipped": reason})
        print(f"{case:<22} {self.label:<10} {'-':>9} {'-':>9} {'-':>6}  skipped: {reason}",
              flush=True)


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


def pg_program(name):
    """A PostgreSQL client program: DSR_PG_BIN's, else the newest installed
    version's, else PATH's. (Debian's /usr/bin/psql is a Perl wrapper that
    takes longer to start than the baseline's queries on a small shop.)"""
    candidates = []
    if os.environ.get("DSR_PG_BIN"):
        candidates.append(Path(os.environ["DSR_PG_BIN"]) / name)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)] or [0])
    candidates += [v / name for v in reversed(versions)]
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        sys.exit(f"bench: {name} is not installed (apt-get install postgresql-client)")
    return found


def with_dbname(conninfo, dbname):
    """CONNINFO (a keyword string or a postgresql:// URI) naming DBNAME."""
    if conninfo.startswith(("postgresql://", "postgres://")):
        parts = urllib.parse.urlsplit(conninfo)
        return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(dbname)))
    kept = re.sub(r"(^|\s)dbname\s*=\s*('(\\.|[^'])*'|\S+)", "", conninfo).strip()
    return f"{kept} dbname={dbname}"


def dbname_of(conninfo):
    if conninfo.startswith(("postgresql://", "postgres://")):
        return urllib.parse.unquote(urllib.parse.urlsplit(conninfo).path.strip("/"))
    return re.findall(r"(?:^|\s)dbname\s*=\s*(\S+)", conninfo)[-1]


def maintenance_conninfo(conninfo):
    if conninfo.startswith(("postgresql://", "postgres://")):
        path = urllib.parse.urlsplit(conninfo).path.strip("/")
        return conninfo if path else with_dbname(conninfo, "postgres")
    return conninfo if re.search(r"(^|\s)dbname\s*=", conninfo) else f"{conninfo} dbname=postgres"


def as_uri(conninfo):
    """A libpq keyword string as a postgresql:// URI (the keywords but
    dbname as query parameters), which is what a policy's url takes."""
    if conninfo.startswith(("postgresql://", "postgres://")):
        return conninfo
    params, dbname = [], ""
    for key, quoted, plain in re.findall(r"(\w+)\s*=\s*(?:'((?:\\.|[^'])*)'|(\S+))", conninfo):
        value = re.sub(r"\\(.)", r"\1", quoted) if quoted else plain
        if key == "dbname":
            dbname = value
        else:
            params.append((key, value))
    return (f"postgresql:///{urllib.parse.quote(dbname)}"
            + ("?" + urllib.parse.urlencode(params) if params else ""))
