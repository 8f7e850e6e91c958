"""Policy check of a 500-table schema."""
import json

from harness import Timed


def policy_check_500(bench):
    """`dsr policy check` of a 500-table policy against its schema (target 0.5 s)."""
    schema_db, policy = wide_policy(bench, 500)
    runs = [Timed(bench.work, [bench.dsr, "policy", "check", "--policy", policy, "--db", schema_db,
                   "--format", "json"], ok=(0, 1))
            for _ in range(max(bench.args.repetitions, 3))]
    report = json.loads(runs[-1].stdout)
    bench.record("policy_check_500", runs, [],
                {"tables": 500, "errors": len(report.get("errors", [])), "target_s": 0.5})


def wide_policy(bench, tables):
    """A schema of TABLES tables hanging off customers, in a new database of
    the bench's backend (the DDL reads the same to both), and its policy."""
    schema_db = bench.empty_database(f"wide-{tables}.db")
    policy = bench.work / f"wide-{tables}.yaml"
    ddl = ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, created_at TEXT);"]
    lines = ["version: 1", "controller: {name: Wide Ltd, contact: privacy@wide.example}",
             "regime: gdpr", f"databases: {{shop: {{url: '{bench.policy_url(schema_db)}'}}}}",
             "identities: {email: {column: customers.email, normalize: email}}",
             "purposes: {account: {basis: contract, description: The account.}}",
             "tables:", "  customers:", "    key: id", "    columns:",
             "      email: {category: contact, purposes: [account], source: provided}",
             "      created_at: {category: identity, purposes: [account], source: observed}",
             "    erasure: {action: delete}",
             "    retention: {column: created_at, format: iso8601, keep: 6y, action: delete}"]
    for n in range(1, tables):
        name = f"t{n:03d}"
        ddl.append(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, customer_id INTEGER "
                   f"REFERENCES customers(id), note TEXT, created_at TEXT);")
        ddl.append(f"CREATE INDEX {name}_customer ON {name}(customer_id);")
        lines += [f"  {name}:", "    key: id",
                  "    links: [{column: customer_id, references: customers.id}]",
                  "    columns:",
                  "      note: {category: identity, purposes: [account], source: provided}",
                  "      created_at: {category: identity, purposes: [account], source: observed}",
                  "    erasure: {action: delete}",
                  "    retention: {column: created_at, format: iso8601, keep: 3y, action: delete}"]
    bench.run_script(schema_db, "\n".join(ddl) + "\n")
    policy.write_text("\n".join(lines) + "\n")
    return schema_db, policy


ORDER = 60
BACKENDS = {"sqlite", "postgresql"}
CASES = {"policy_check_500": policy_check_500}
