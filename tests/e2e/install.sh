# `cmake --install` gives an operator a working dsr: the programs, the
# PostgreSQL module where the installed dsr looks for it, manual pages that
# man(1) reads, the example policy and the report schema, and a bash
# completion that completes commands and options. `dsr --version` names the
# version, the commit and the libraries. With CPack and dpkg-dev present,
# the .deb carries the same files and depends on every library dsr loads.
source "$DSR_SOURCE/tests/e2e/lib.sh"
skip_under_sanitizers "a check of packaging (cmake --install, CPack)"

prefix=$DSR_TMP/prefix
cmake --install "$DSR_BUILD" --prefix "$prefix" >"$DSR_TMP/install.log" 2>&1 ||
  fail "cmake --install failed: $(tail -n 20 "$DSR_TMP/install.log")"

# --- the files ----------------------------------------------------------------
installed=(bin/dsr bin/dsr-shopgen lib/dsr/dsr-postgresql.so share/dsr/policies/shop.yaml
           share/dsr/report.schema.json share/bash-completion/completions/dsr)
pages=()
for page in "$DSR_SOURCE"/man/*.[1-8]; do
  name=${page##*/}
  pages+=("share/man/man${name##*.}/$name")
done
[ "${#pages[@]}" -gt 10 ] || fail "found ${#pages[@]} manual pages in $DSR_SOURCE/man"
for file in "${installed[@]}" "${pages[@]}"; do
  [ -f "$prefix/$file" ] || fail "cmake --install did not install $file"
done
for program in dsr dsr-shopgen; do
  [ -x "$prefix/bin/$program" ] || fail "bin/$program is not executable"
done
cmp -s "$DSR_SOURCE/lib/report/report.schema.json" "$prefix/share/dsr/report.schema.json" ||
  fail "the installed report schema differs from lib/report/report.schema.json"

# --- manual pages: man(1) formats every one without a complaint -------------
command -v man >/dev/null || fail "man is not installed (apt-get install man-db)"
for page in "${pages[@]}"; do
  status=0
  MANPAGER=cat MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$prefix/$page" >"$DSR_TMP/page.txt" 2>"$DSR_TMP/page.err" || status=$?
  if [ "$status" -ne 0 ] || [ -s "$DSR_TMP/page.err" ]; then
    fail "man -l $page exited $status: $(head -c 1000 "$DSR_TMP/page.err")"
  fi
  grep -q '^NAME' "$DSR_TMP/page.txt" || fail "man -l $page printed no NAME section"
done
# ... and finds them by name in the installed tree.
[ "$(man -M "$prefix/share/man" -w dsr-policy)" = "$prefix/share/man/man5/dsr-policy.5" ] ||
  fail "man -M PREFIX/share/man does not find dsr-policy(5)"

# --- dsr --version ------------------------------------------------------------
DSR=$prefix/bin/dsr
run_dsr 0 --version
version=$(sed -n 's/^project(dsr VERSION \([0-9.]*\).*/\1/p' "$DSR_SOURCE/CMakeLists.txt")
mapfile -t lines <"$DSR_TMP/out.json"
[ "${#lines[@]}" -eq 2 ] || fail "dsr --version printed ${#lines[@]} lines, expected 2: ${lines[*]}"
[[ ${lines[0]} =~ ^dsr\ ${version//./\\.}\ \(commit\ [A-Za-z0-9._/+-]+\)$ ]] ||
  fail "dsr --version line 1 is '${lines[0]}', expected 'dsr $version (commit ...)'"
# Debian's libraries are those the headers came from: their versions agree.
expected="SQLite $(pkg-config --modversion sqlite3), libsodium $(pkg-config --modversion libsodium), yaml-cpp $(pkg-config --modversion yaml-cpp) (build time)"
[ "${lines[1]}" = "$expected" ] || fail "dsr --version line 2 is '${lines[1]}', expected '$expected'"
[ "$("$DSR_BUILD/dsr" --version)" = "$(cat "$DSR_TMP/out.json")" ] ||
  fail "the installed dsr and the build's dsr print different versions"

# --- the installed programs do a job --------------------------------------------
shop=$DSR_TMP/shop.db
"$prefix/bin/dsr-shopgen" --customers 60 --seed 7 --now 2026-11-01 --out "$shop" >/dev/null ||
  fail "the installed dsr-shopgen could not make a shop"
policy=$prefix/share/dsr/policies/shop.yaml
run_dsr 0 policy check --policy "$policy" --db "$shop" --format json
validate_report
run_dsr 0 keygen --keys "$DSR_TMP/keys" --format json
run_dsr 0 access --policy "$policy" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" \
  --subject customer_id=1 --format json
validate_report
expect_json '[.subject.registered_matches, ([.tables[] | select(.table == "customers") | .rows[]] | length)]' '[1,1]'
# The module loads from PREFIX/lib/dsr (there is none beside PREFIX/bin/dsr):
# what fails is the connection, not the loading.
mkdir "$DSR_TMP/no-server"
run_dsr 6 policy check --policy "$policy" --db "postgresql:///shop?host=$DSR_TMP/no-server" --format json
if grep -qF "PostgreSQL support is unavailable" "$DSR_TMP/err.txt"; then
  fail "the installed dsr did not load its module: $(cat "$DSR_TMP/err.txt")"
fi
expect_stderr "cannot connect"

# --- bash completion ---------------------------------------------------------
# complete WORDS...: what the completion offers for the last word, one line.
complete_words() {
  bash --norc --noprofile -c '
    source "$1" || exit 1
    shift
    COMP_WORDS=("$@") COMP_CWORD=$(( $# - 1 ))
    _dsr dsr "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "${COMPREPLY[*]}"' bash "$prefix/share/bash-completion/completions/dsr" "$@"
}
expect_completion() {
  local want=$1; shift
  local got
  got=$(complete_words "$@") || fail "the completion file does not load in bash"
  [ "$got" = "$want" ] || fail "completing '$*' offered '$got', expected '$want'"
}
[ "$(bash --norc --noprofile -c 'source "$1" && complete -p dsr' bash "$prefix/share/bash-completion/completions/dsr")" = \
  "complete -o default -F _dsr dsr" ] || fail "the completion file does not register a completion for dsr"
expect_completion "policy" dsr pol
expect_completion "init check graph" dsr policy ""
expect_completion "show verify head" dsr audit ""
expect_completion "--dry-run" dsr breach assess --dry
expect_completion "auto json text" dsr policy check --policy p.yaml --format ""
expect_completion "open paused closed" dsr request list --status ""
# A value is not taken for a command: `policy` is the value of --subject here.
expect_completion "--force --format" dsr access --subject policy --f
# Every command's options are those its --help lists (generated from them,
# so this guards the generator).
for command in "policy check" "erase" "consent grant" "breach notify-list"; do
  # shellcheck disable=SC2086 # the command's words
  # (an option's names are the leading words of its line that start with a
  # dash, as in tests/e2e/man_pages.sh; "Excludes: --x" is not one)
  want=$("$DSR" $command --help | awk '/^Usage:/ { on = 1 } on && /^  -/' |
         while read -r -a words; do
           for word in "${words[@]}"; do
             [[ $word == -* ]] || break
             tr ',' '\n' <<<"$word" | grep -E '^--' || true
           done
         done | sort -u | paste -sd' ')
  # shellcheck disable=SC2086
  got=$(complete_words dsr $command -- | tr ' ' '\n' | sort | paste -sd' ')
  [ "$got" = "$want" ] || fail "completing 'dsr $command --' offered '$got', its --help lists '$want'"
done

# --- the .deb -----------------------------------------------------------------
if ! command -v cpack >/dev/null || ! command -v dpkg-shlibdeps >/dev/null || ! command -v file >/dev/null; then
  echo "note: cpack, dpkg-shlibdeps or file missing: the .deb is not checked" >&2
  exit 0
fi
cpack --config "$DSR_BUILD/CPackConfig.cmake" -G DEB -B "$DSR_TMP/deb" >"$DSR_TMP/cpack.log" 2>&1 ||
  fail "cpack -G DEB failed: $(tail -n 20 "$DSR_TMP/cpack.log")"
deb=$(printf '%s\n' "$DSR_TMP"/deb/dsr_*.deb)
[ -f "$deb" ] || fail "cpack made no dsr_*.deb: $(ls "$DSR_TMP/deb")"
depends=$(dpkg-deb -f "$deb" Depends)
for package in libsqlite3-0 libsodium23 libyaml-cpp0.7 libssl3 libarchive13 libpq5; do
  grep -qE "(^|, )$package( |,|$)" <<<"$depends" || fail "the .deb does not depend on $package: $depends"
done
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$DSR_TMP/deb-files.txt"
for file in "${installed[@]}" "${pages[@]}"; do
  grep -qxF "./usr/$file" "$DSR_TMP/deb-files.txt" || fail "the .deb lacks /usr/$file"
done
echo "install: ${#installed[@]} files and ${#pages[@]} pages installed; .deb Depends: $depends"
