# Out of memory at every point of an erasure: with DSR_FAULT=malloc:N
# SQLite's N-th allocation in the process returns NULL (once), and with
# malloc:N+ every allocation from the N-th does (memory that stays short);
# the allocator is SQLite's own (SQLITE_CONFIG_MALLOC), shared by the shop's
# connection and the state store's. For each N, the checks of fault_io.sh:
# no crash and, in the sanitizers' build, no sanitizer report on stderr (nor
# the exit status halt_on_error gives one); exit 12 (io, as PostgreSQL's
# out_of_memory is) with one schema-valid JSON report, status "error", or
# the job's own exit where SQLite absorbed the failure; the shop intact and
# exactly as before or as after; the audit log verifying; a re-run
# completing.
#
# Time: the erasure makes about 16,500 allocations, too many to try each in
# CI: it samples N = 1 and FAULT_SAMPLES more evenly spaced from a random
# offset (printed; FAULT_OFFSET=K repeats it), 5 a sweep; under the
# sanitizers 3, without N = 1. FAULT_SAMPLES=1200 (about 2,400 runs, 15
# minutes plain) is a dense sweep to run by hand; DSR_FAULT_SWEEP=full tries
# every N (33,000 runs).
FAULT_SWEEP_LIBRARY=1 FAULT_SCRIPT=fault_oom
source "$DSR_SOURCE/tests/e2e/fault_io.sh"
if [ -z "${FAULT_SAMPLES:-}" ]; then
  if [ "$sanitized" = 1 ]; then samples=3; else samples=5; fi
fi

sweep erase malloc 7 "${erase_job[@]}"
sweep erase malloc+ 7 "${erase_job[@]}"
