#!/usr/bin/env bash
# dsr-shopgen is byte-for-byte deterministic for the same (customers, seed,
# now), and a different seed gives a different shop.
set -euo pipefail

: "${DSR_BUILD:?DSR_BUILD must name the build directory}"
: "${DSR_TMP:?DSR_TMP must name a fresh temporary directory}"
gen="$DSR_BUILD/dsr-shopgen"

fail() { echo "FAIL: $*" >&2; exit 1; }
dump_sha() { sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1; }

"$gen" --customers 400 --seed 42 --now 2025-06-01 --out "$DSR_TMP/a.db"
"$gen" --customers 400 --seed 42 --now 2025-06-01 --out "$DSR_TMP/b.db"
"$gen" --customers 400 --seed 43 --now 2025-06-01 --out "$DSR_TMP/c.db"
"$gen" --customers 400 --seed 42 --now 2025-06-02 --out "$DSR_TMP/d.db"

a=$(dump_sha "$DSR_TMP/a.db")
[[ "$a" == "$(dump_sha "$DSR_TMP/b.db")" ]] || fail "same seed and --now gave different dumps"
cmp -s "$DSR_TMP/a.db" "$DSR_TMP/b.db" || fail "same seed and --now gave different database files"
[[ "$a" != "$(dump_sha "$DSR_TMP/c.db")" ]] || fail "seeds 42 and 43 gave identical dumps"
[[ "$a" != "$(dump_sha "$DSR_TMP/d.db")" ]] || fail "different --now gave identical dumps"

# The product catalogue is the same for every seed (policies name SKUs).
cat_a=$(sqlite3 "$DSR_TMP/a.db" "SELECT group_concat(sku || name || price_cents) FROM products" | sha256sum)
cat_c=$(sqlite3 "$DSR_TMP/c.db" "SELECT group_concat(sku || name || price_cents) FROM products" | sha256sum)
[[ "$cat_a" == "$cat_c" ]] || fail "product catalogue depends on the seed"

# --canary marks the text and changes nothing else: deterministic too, the
# same rows in every table, every customer's e-mail marked.
"$gen" --customers 400 --seed 42 --now 2025-06-01 --canary kq7canary --out "$DSR_TMP/e.db"
"$gen" --customers 400 --seed 42 --now 2025-06-01 --canary kq7canary --out "$DSR_TMP/f.db"
cmp -s "$DSR_TMP/e.db" "$DSR_TMP/f.db" || fail "--canary: same seed and --now gave different database files"
counts() { sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name" |
             while read -r t; do echo "$t $(sqlite3 "$1" "SELECT count(*), sum(id) FROM \"$t\"")"; done; }
[[ "$(counts "$DSR_TMP/a.db")" == "$(counts "$DSR_TMP/e.db")" ]] || fail "--canary changed the rows written"
[ "$(sqlite3 "$DSR_TMP/e.db" "SELECT count(*) FROM customers WHERE email NOT LIKE 'kq7canary.%'
                              OR first_name NOT LIKE 'kq7canary %'")" = 0 ] || fail "--canary left customers unmarked"

echo "PASS: shopgen determinism"
