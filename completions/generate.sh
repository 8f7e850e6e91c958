#!/bin/bash
# Writes dsr's bash completion: dsr.bash.in with its word lists filled in
# from what `dsr --help` and `dsr COMMAND --help` print, so the lists cannot
# fall behind the program (run by the build, completions/CMakeLists.txt).
# Usage: generate.sh DSR TEMPLATE OUTPUT
set -euo pipefail
dsr=$1 template=$2 output=$3

commands=() options=() values=()

# describe WORDS...: the lists of `dsr WORDS`, then of each of its subcommands.
# CLI11 lists subcommands under "Subcommands:" and options as lines indented
# two spaces that start with a dash, names then the value's type in the
# first column ("--format auto|json|text (default: auto)", "--db TEXT",
# "--dry-run", "-h,--help"); the free text after an option list is skipped
# by reading from the Usage line on, as tests/e2e/man_pages.sh does.
describe() {
  local key="dsr${*:+ $*}" help
  help=$("$dsr" "$@" --help | awk '/^Usage:/ { on = 1 } on') || { echo "$0: dsr $* --help failed" >&2; exit 1; }
  local subcommands
  subcommands=$(awk '/^Subcommands:$/ { on = 1; next } on && !/^  / { on = 0 } on && /^  [A-Za-z]/ { print $1 }' <<<"$help")
  [ -z "$subcommands" ] || commands+=("[\"$key\"]=\"${subcommands//$'\n'/ }\"")
  # Each option as "NAME" (a flag) or "NAME=CHOICES" (takes a value; no
  # choices means any text, completed as a file name).
  local option_lines name list=()
  option_lines=$(awk '
    /^  -/ {
      column = substr($0, 3); sub(/  .*/, "", column)
      n = split(column, token, " ")
      names = ""; i = 1
      for (; i <= n && token[i] ~ /^-/; i++) names = names token[i]
      gsub(/,/, " ", names)
      type = (i <= n && token[i] !~ /:$/) ? token[i] : ""
      choices = ""
      if (type ~ /^[A-Za-z0-9_.-]+(\|[A-Za-z0-9_.-]+)+$/) { choices = type; gsub(/\|/, " ", choices) }
      else if (match(type, /\{[^}]*\}/)) { choices = substr(type, RSTART + 1, RLENGTH - 2); gsub(/,/, " ", choices) }
      m = split(names, name, " ")
      for (j = 1; j <= m; j++) if (name[j] ~ /^--/) print name[j] (type == "" ? "" : "=" choices)
    }' <<<"$help")
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    list+=("${name%%=*}")
    [[ $name != *=* ]] || values+=("[\"$key ${name%%=*}\"]=\"${name#*=}\"")
  done <<<"$option_lines"
  options+=("[\"$key\"]=\"${list[*]}\"")
  local subcommand
  for subcommand in $subcommands; do
    describe "$@" "$subcommand"
  done
}
describe

[ "${#commands[@]}" -gt 0 ] || { echo "$0: found no subcommands in 'dsr --help' (has its format changed?)" >&2; exit 1; }
{
  while IFS= read -r line; do
    case $line in
      @COMMANDS@) printf '  %s\n' "${commands[@]}" ;;
      @OPTIONS@) printf '  %s\n' "${options[@]}" ;;
      @VALUES@) printf '  %s\n' "${values[@]}" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <"$template"
} >"$output.tmp"
mv "$output.tmp" "$output"
