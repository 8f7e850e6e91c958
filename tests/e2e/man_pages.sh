#!/bin/bash
# The manual pages keep up with the program:
#   1. every man/*.[1-8] is clean under `mandoc -Tlint -W warning`;
#   2. every page has the sections every dsr page carries;
#   3. every command `dsr --help` lists (recursively) has a page (the leaves
#      of a group such as `audit show` may share the group's page), and every
#      long option its --help prints is documented in that page's OPTIONS;
#      options a command page documents still exist, and every
#      dsr-<command>.1 page belongs to a command that exists;
#   4. dsr(1) EXIT STATUS lists every value of lib/util/exit_status.h;
#   5. the worked example of dsr-policy(5) loads, and checks against its
#      example schema with exactly the finding the page shows.
# Commands and options are discovered by parsing --help, so a new command
# is covered as soon as it is added. Every problem is reported, then the
# script fails if there was any.
#
# Environment (set by run_one.sh under ctest): DSR, the dsr binary;
# DSR_SOURCE, the source tree; DSR_TMP, a scratch directory.
set -euo pipefail

: "${DSR:?DSR must name the dsr binary}"
: "${DSR_SOURCE:?DSR_SOURCE must name the source tree}"
source "$DSR_SOURCE/tests/e2e/lib.sh"
skip_under_sanitizers "a check of documents (dsr --help against the pages)"
: "${DSR_TMP:?DSR_TMP must name a scratch directory}"

MAN=$DSR_SOURCE/man
EXIT_STATUS_H=$DSR_SOURCE/lib/util/exit_status.h
REQUIRED_SECTIONS=(NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO")

problems=0
problem() {
  echo "FAIL: $*" >&2
  problems=$((problems + 1))
}
fatal() {
  echo "FAIL: $*" >&2
  exit 1
}

command -v mandoc >/dev/null || fatal "mandoc is not installed (apt-get install mandoc)"
command -v jq >/dev/null || fatal "jq is not installed (apt-get install jq)"
[ -x "$DSR" ] || fatal "DSR=$DSR is not an executable"

shopt -s nullglob
pages=("$MAN"/*.[1-8])
shopt -u nullglob
[ "${#pages[@]}" -gt 0 ] || fatal "no manual pages in $MAN"

# section PAGE TITLE: the source lines of one section, without its .Sh line.
section() {
  awk -v want="$2" '
    /^\.Sh[ \t]/ {
      title = $0
      sub(/^\.Sh[ \t]+/, "", title)
      gsub(/"/, "", title)
      inside = (title == want)
      next
    }
    inside { print }
  ' "$1"
}

# Source text with mdoc escapes for a hyphen undone, so `Fl \-policy` and
# `Fl -policy` read alike.
normalised() { sed 's/\\-/-/g'; }

# --- 1. mandoc lint ---------------------------------------------------------
for page in "${pages[@]}"; do
  status=0
  out=$(mandoc -Tlint -W warning "$page" 2>&1) || status=$?
  if [ "$status" -ne 0 ] || [ -n "$out" ]; then
    problem "mandoc -Tlint -W warning ${page#"$DSR_SOURCE"/} exited $status:"$'\n'"$out"
  fi
done

# --- 2. sections ------------------------------------------------------------
for page in "${pages[@]}"; do
  titles=$(sed -n 's/^\.Sh[[:space:]]\{1,\}//p' "$page" | tr -d '"')
  for wanted in "${REQUIRED_SECTIONS[@]}"; do
    grep -qxF -- "$wanted" <<<"$titles" ||
      problem "${page#"$DSR_SOURCE"/} has no section $wanted"
  done
done

# --- 3. commands and their options -----------------------------------------

# help_after_usage WORDS...: the help of `dsr WORDS --help` from its Usage
# line on (what precedes it is the command's free-text description, whose
# examples must not be mistaken for commands or options).
help_after_usage() {
  local help
  help=$("$DSR" "$@" --help 2>&1) || { problem "dsr $* --help failed: $help"; return 0; }
  awk '/^Usage:/ { on = 1 } on' <<<"$help"
}

# long_options HELP: each long option on an option line. An option line is
# indented by exactly two spaces and starts with a dash; its names are the
# leading tokens that start with a dash ("-h,--help", or "-h," "--help").
long_options() {
  grep -E '^  -' <<<"$1" | while read -r -a tokens; do
    for token in "${tokens[@]}"; do
      [[ $token == -* ]] || break
      tr ',' '\n' <<<"$token" | grep -oE '^--[A-Za-z0-9][A-Za-z0-9_-]*' || true
    done
  done | sort -u
}

# subcommand_candidates HELP: names on lines indented by exactly two spaces
# that start with a letter (CLI11 lists subcommands so, under any heading).
subcommand_candidates() {
  grep -E '^  [A-Za-z][A-Za-z0-9_-]*( |$)' <<<"$1" | awk '{ print $1 }' | sort -u
}

# is_command WORDS...: `dsr WORDS --help` is the help of that very command.
is_command() {
  local usage
  # Read the whole help first: grep -m1 closing the pipe early would kill dsr
  # with SIGPIPE, and pipefail would report that as "not a command".
  usage=$("$DSR" "$@" --help 2>/dev/null) || return 1
  usage=$(grep -m1 '^Usage:' <<<"$usage") || return 1
  [[ " $usage " == *" $* "* ]]
}

# page_of WORDS...: the page that must document the command.
page_of() {
  if [ "$#" -eq 0 ]; then
    echo "$MAN/dsr.1"
    return
  fi
  local IFS=-
  echo "$MAN/dsr-$*.1"
}

# option_documented PAGE OPTION: OPTIONS of PAGE writes `Fl -name` for --name.
option_documented() {
  local name=${2#--}
  section "$1" OPTIONS | normalised |
    grep -qE "(^|[^A-Za-z0-9_-])Fl -${name}([^A-Za-z0-9_-]|$)"
}

commands_found=()
check_command() {
  local words=("$@")
  local help
  help=$(help_after_usage "${words[@]}")
  [ -n "$help" ] || return 0
  local subcommands=()
  local name
  while read -r name; do
    [ -n "$name" ] || continue
    if is_command "${words[@]}" "$name"; then
      subcommands+=("$name")
    else
      echo "note: '$name' in the help of 'dsr ${words[*]}' is not a subcommand; ignored" >&2
    fi
  done < <(subcommand_candidates "$help")

  local page own_page=yes
  page=$(page_of "${words[@]}")
  if [ ! -f "$page" ] && [ "${#words[@]}" -gt 1 ] && [ "${#subcommands[@]}" -eq 0 ]; then
    # The leaves of a group (audit show, audit verify…) may share the group's page.
    local parent
    parent=$(page_of "${words[@]:0:${#words[@]}-1}")
    if [ -f "$parent" ]; then
      page=$parent
      own_page=no
    fi
  fi
  if [ "${#words[@]}" -gt 0 ] && [ "${#subcommands[@]}" -gt 0 ] && [ ! -f "$page" ]; then
    page=$MAN/dsr.1  # a command group may be documented in dsr(1)
  fi
  local label="dsr${words[*]:+ ${words[*]}}"
  if [ ! -f "$page" ]; then
    problem "'$label' has no manual page ${page#"$DSR_SOURCE"/}"
  else
    [ "${#words[@]}" -gt 0 ] && [ "${#subcommands[@]}" -eq 0 ] && commands_found+=("$page")
    local options option
    options=$(long_options "$help")
    [ -n "$options" ] || problem "found no options in 'dsr ${words[*]} --help' (has its format changed?)"
    while read -r option; do
      [ -n "$option" ] || continue
      option_documented "$page" "$option" ||
        problem "${page#"$DSR_SOURCE"/} does not document $option of '$label' in OPTIONS (write .It Fl \\${option#-})"
    done <<<"$options"
    # A command's own page documents no option the command has lost.
    if [ "${#words[@]}" -gt 0 ] && [ "${#subcommands[@]}" -eq 0 ] && [ "$own_page" = yes ]; then
      local item
      while read -r item; do
        [ -n "$item" ] || continue
        grep -qxF -- "--$item" <<<"$options" ||
          problem "${page#"$DSR_SOURCE"/} documents --$item, which '$label --help' does not list"
      done < <(section "$page" OPTIONS | normalised |
               sed -n 's/^\.It Fl -\([A-Za-z0-9][A-Za-z0-9_-]*\).*/\1/p' | sort -u)
    fi
  fi

  for name in "${subcommands[@]}"; do
    check_command "${words[@]}" "$name"
  done
}
check_command

[ "${#commands_found[@]}" -gt 0 ] || problem "found no commands in 'dsr --help' (has its format changed?)"

# Every command page belongs to a command that exists.
shopt -s nullglob
for page in "$MAN"/dsr-*.1; do
  found=no
  for known in "${commands_found[@]}"; do
    [ "$known" = "$page" ] && found=yes
  done
  [ "$found" = yes ] || problem "${page#"$DSR_SOURCE"/} documents a command that 'dsr --help' does not list"
done
shopt -u nullglob

# --- 4. exit codes in dsr(1) ------------------------------------------------
exit_codes=$(sed -nE 's/^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*([0-9]+)[[:space:]]*,.*/\2 \1/p' "$EXIT_STATUS_H")
[ -n "$exit_codes" ] || fatal "found no exit codes in $EXIT_STATUS_H"
exit_section=$(section "$MAN/dsr.1" "EXIT STATUS")
[ -n "$exit_section" ] || problem "man/dsr.1 has an empty EXIT STATUS"
while read -r value name; do
  grep -qE "^\.It[[:space:]]+(Sy[[:space:]]+)?${value}([[:space:]]|$)" <<<"$exit_section" ||
    problem "man/dsr.1 EXIT STATUS has no item for exit code $value ($name)"
  grep -qE "(^|[^a-z_])${name}([^a-z_]|$)" <<<"$exit_section" ||
    problem "man/dsr.1 EXIT STATUS does not name exit code $value as $name"
done <<<"$exit_codes"

# --- 5. the worked example of dsr-policy(5) --------------------------------
# literal_block PAGE MARKER: the lines of the .Bd block between the comments
# `.\" begin MARKER` and `.\" end MARKER`, with mdoc escapes undone.
literal_block() {
  awk -v begin=".\\\\\" begin $2" -v end=".\\\\\" end $2" '
    index($0, begin) == 1 { on = 1; next }
    index($0, end) == 1 { on = 0 }
    on && !/^\.(Bd|Ed)([ \t]|$)/ { print }
  ' "$1" | sed -e 's/\\e/\\/g' -e 's/\\-/-/g' -e 's/\\&//g'
}

policy_page=$MAN/dsr-policy.5
if [ -f "$policy_page" ]; then
  example=$DSR_TMP/example
  mkdir -p "$example"
  literal_block "$policy_page" "example policy" >"$example/policy.yaml"
  literal_block "$policy_page" "example schema" >"$example/schema.sql"
  if [ ! -s "$example/policy.yaml" ]; then
    problem "man/dsr-policy.5 has no example policy between its 'begin/end example policy' comments"
  else
    status=0
    "$DSR" policy graph --policy "$example/policy.yaml" --format json >"$example/graph.json" 2>"$example/graph.err" || status=$?
    if [ "$status" -ne 0 ]; then
      problem "the example policy of man/dsr-policy.5 does not load (exit $status): $(head -c 1000 "$example/graph.err")"
    elif [ ! -s "$example/schema.sql" ]; then
      problem "man/dsr-policy.5 has no example schema between its 'begin/end example schema' comments"
    elif ! command -v sqlite3 >/dev/null; then
      problem "sqlite3 is not installed (apt-get install sqlite3): cannot check the example policy"
    elif ! sqlite3 "$example/shop.db" <"$example/schema.sql" 2>"$example/sqlite.err"; then
      problem "the example schema of man/dsr-policy.5 does not load into sqlite3: $(head -c 1000 "$example/sqlite.err")"
    else
      status=0
      "$DSR" policy check --policy "$example/policy.yaml" --format json >"$example/check.json" 2>"$example/check.err" || status=$?
      kinds=$(jq -c '[.errors[].kind, .findings[].kind]' "$example/check.json" 2>/dev/null || echo "no report")
      if [ "$status" -ne 0 ] || [ "$kinds" != '["no_retention"]' ]; then
        problem "the example policy of man/dsr-policy.5 checks against its example schema with exit $status and problems $kinds, the page shows exit 0 and [\"no_retention\"]"
      fi
    fi
  fi
fi

if [ "$problems" -gt 0 ]; then
  echo "man_pages: $problems problem(s)" >&2
  exit 1
fi
echo "man_pages: ${#pages[@]} pages, ${#commands_found[@]} command pages, $(wc -l <<<"$exit_codes") exit codes: ok"
