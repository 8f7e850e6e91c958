# Shared by scripts/demo and scripts/test: install what is missing, build.
# Sourced, not run.

# Debian packages the build, the demo and the test suite need (postgresql:
# the test suite runs its end-to-end tests against a throw-away cluster too).
# dsr loads libarchive (libarchive13, which libarchive-dev pulls in) and, from
# its module dsr-postgresql.so, libpq at run time rather than at start: the
# -dev packages are still what the build needs. man-db: the install test
# reads the installed pages with man(1); dpkg-dev and file: CPack's .deb
# finds its dependencies with dpkg-shlibdeps, on the files file(1) says are ELF.
# valgrind: a memcheck run over a subset of commands; python3-yaml: the canary
# test reads the policy's personal columns. clang: scripts/test's second
# build, under the sanitizers, is clang's so that it links the libFuzzer
# harnesses too (libFuzzer is libclang-rt-14-dev, which clang depends on).
DSR_PACKAGES=(
  cmake g++ clang ninja-build ccache pkg-config
  libcli11-dev libsqlitecpp-dev libsqlite3-dev libsodium-dev libssl-dev libyaml-cpp-dev
  doctest-dev nlohmann-json3-dev libarchive-dev
  sqlite3 jq mandoc python3 python3-jsonschema python3-yaml tzdata age time bsdutils valgrind
  libpq-dev postgresql
  man-db dpkg-dev file
)

dsr_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ccache needs a writable cache even where HOME is unset (some CI runners).
export CCACHE_DIR=${CCACHE_DIR:-${HOME:-/tmp}/.cache/ccache}
# Paths relative to the checkout, so a fresh clone elsewhere (as CI makes) still hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$dsr_root}
# cli/ uses a precompiled header; ccache caches such compiles only with this.
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}

say() { printf '==> %s\n' "$*" >&2; }

# Installs only the packages not yet installed, as root or through sudo.
install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; return 1; }
    sudo=(sudo)
  fi
  say "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build DIR [cmake options...]: configure once, then build everything with Ninja.
# A unity build: every file-local copy of CLI11, nlohmann/json and the
# standard library is compiled once per batch of files instead of once per
# file (a cold build 6.5 -> 4 minutes on 2 cores at 6 files a batch; 12
# takes a fifth more off libdsr). It also means two files of one target
# cannot both define a file-local helper of the same name: share it instead
# (CI builds this way, so it will say).
# Line tables only (-g1), in both the optimised and the Debug (sanitizer)
# build: file:line in every stack trace, perf and valgrind report, at a
# third less compile time than full debug information (a unity batch of
# libdsr: 33 -> 23 s at -O2, 31 -> 26 s instrumented at -O0). Configure a
# build of your own with -g for a debugger's view of local variables.
build() {
  local dir=$1; shift
  say "building in $dir"
  cmake -S "$dsr_root" -B "$dsr_root/$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=12 \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_DEBUG="-g1" "$@" >/dev/null
  cmake --build "$dsr_root/$dir"
}
