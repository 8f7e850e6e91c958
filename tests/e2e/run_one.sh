#!/bin/bash
# Runs one end-to-end script in a fresh temporary directory, exported as
# DSR_TMP. The directory is removed when the script passes and kept (and
# named) when it fails, so the evidence survives for whoever debugs it.
set -uo pipefail
script=$1
DSR_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dsr-e2e.XXXXXX")
export DSR_TMP
export DSR=${DSR_BUILD}/dsr SHOPGEN=${DSR_BUILD}/dsr-shopgen
bash "$script"
status=$?
if [ "$status" -eq 0 ]; then
  rm -rf "$DSR_TMP"
else
  echo "FAILED: $(basename "$script") (exit $status); files kept in $DSR_TMP" >&2
fi
exit "$status"
