// dsr-canary-run: what the end-to-end scripts run as $DSR when run_one.sh
// gives them canary shops (issue 9, point 9). It runs the real dsr as its
// child with stdout and stderr captured to files, notes which files that
// run may have written personal data to and which it must not have, then
// replays the captures and exits as dsr did. run_one.sh searches the
// "must not" side for the canary marker after the script has passed.
//
// A program rather than a shell script: the suite starts dsr thousands of
// times, and a bash wrapper with two `cat`s to replay costs some 4 ms a run
// where this costs a fraction of one; and it can make a `kill -9` of the pid
// a script holds still kill dsr (PR_SET_PDEATHSIG), and die of the same
// signal dsr died of, so the shell sees the same status.
//
// Environment (set by run_one.sh):
//   DSR_CANARY_REAL    the dsr binary
//   DSR_CANARY_DIR     where run N leaves N.meta, N.out (or N.personal), N.err,
//                      tmp/N, and pid.OURS holds dsr's pid
//   DSR_CANARY_TMPDIR  the TMPDIR the script started with: while the script
//                      has not chosen its own, dsr gets the private tmp/N.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

volatile sig_atomic_t child_pid = 0;

// Signals a script sends to stop dsr reach dsr, as they did without us.
constexpr std::array kForwarded = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

void forward(int sig) {
    if (child_pid > 0) ::kill(child_pid, sig);
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "dsr-canary-run: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string absolute(const std::string& path, const std::string& cwd) {
    if (path.empty() || path.front() == '/') return path;
    return cwd + "/" + path;
}

std::string parent_dir(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// The next run number, shared by runs in parallel (a script's background jobs).
long next_run(const std::string& dir) {
    const std::string counter = dir + "/.seq";
    const int fd = ::open(counter.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) die(counter);
    char buf[32] = {};
    const ssize_t got = ::pread(fd, buf, sizeof buf - 1, 0);
    const long n = (got > 0 ? std::atol(buf) : 0) + 1;
    const std::string text = std::to_string(n);
    if (::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) die(counter);
    ::close(fd);  // releases the lock
    return n;
}

// The policy's top-level `state:` key, read as dsr's loader would for the
// plain scalars policies use.
// Only a regular file, and only its first 256 KiB (real policies are some
// 15 KB), read in one go: scripts hand dsr /dev/zero and 100 MB policies of
// one line to see it refuse them.
std::string policy_state_key(const std::string& policy) {
    struct stat st {};
    if (::stat(policy.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
    const int fd = ::open(policy.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";
    std::string text(256u << 10, '\0');
    std::size_t have = 0;
    for (ssize_t n; have < text.size() && (n = ::read(fd, text.data() + have, text.size() - have)) > 0;)
        have += static_cast<std::size_t>(n);
    ::close(fd);
    text.resize(have);
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + at, end - at);
        at = end + 1;
        if (!line.starts_with("state:")) continue;
        std::string v(line.substr(6));
        if (const auto hash = v.find(" #"); hash != std::string::npos) v.erase(hash);
        const auto first = v.find_first_not_of(" \t");
        if (first == std::string::npos) return "";
        v = v.substr(first, v.find_last_not_of(" \t\r") - first + 1);
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
            v = v.substr(1, v.size() - 2);
        return v;
    }
    return "";
}

struct Command {
    std::vector<std::string> words;  // "access", or "consent", "list"
    std::vector<std::pair<std::string, std::string>> options;

    std::optional<std::string> option(std::string_view name) const {
        for (const auto& [n, v] : options)
            if (n == name) return v;
        return std::nullopt;
    }
    bool is(std::string_view a, std::string_view b = {}) const {
        return !words.empty() && words[0] == a && (b.empty() || (words.size() > 1 && words[1] == b));
    }
};

// Enough of dsr's command line to find its files: the command words and the
// options that name paths (--opt VALUE and --opt=VALUE alike).
Command parse(int argc, char** argv) {
    static constexpr std::array<std::string_view, 8> kValued = {"--state", "--keys",   "--dir",    "--policy",
                                                                "--plan-out", "--output", "--subjects-file", "--db"};
    Command c;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a.starts_with("--")) {
            const auto eq = a.find('=');
            const std::string_view name = a.substr(0, eq);
            bool valued = false;
            for (auto k : kValued) valued = valued || k == name;
            if (eq != std::string_view::npos)
                c.options.emplace_back(name, a.substr(eq + 1));
            else if (valued && i + 1 < argc)
                c.options.emplace_back(name, argv[++i]);
            continue;
        }
        if (!a.starts_with("-") && c.words.size() < 2 && c.options.empty()) c.words.emplace_back(a);
    }
    return c;
}

// Files this run must leave canary-free, beyond its stderr and (most) stdout:
// the state store with its journals, the key directory, an erasure plan, a
// policy draft.
std::vector<std::string> checked_paths(const Command& c, const std::string& cwd) {
    std::vector<std::string> out;
    if (c.is("policy")) {
        // No state store or keys: only what a draft is written to (and not a
        // developer's own state beside the source tree's policies).
        if (c.is("policy", "init"))
            if (auto draft = c.option("--output")) out.push_back(absolute(*draft, cwd));
        return out;
    }
    const auto state_opt = c.option("--state");
    const std::string policy = c.option("--policy").value_or(env("DSR_POLICY"));
    std::string state = state_opt.value_or(env("DSR_STATE"));
    if (state.empty() && !policy.empty()) {
        const std::string key = policy_state_key(absolute(policy, cwd));
        const std::string dir = parent_dir(absolute(policy, cwd));
        state = key.empty() ? dir + "/dsr-state.db" : absolute(key, dir);
    }
    state = absolute(state, cwd);
    if (!state.empty())
        for (const char* suffix : {"", "-wal", "-journal"}) out.push_back(state + suffix);
    std::string keys = c.option("--keys").value_or(c.option("--dir").value_or(env("DSR_KEYS")));
    if (keys.empty() && !state.empty()) keys = parent_dir(state) + "/dsr-keys";
    if (!keys.empty()) out.push_back(absolute(keys, cwd));
    if (auto plan = c.option("--plan-out")) out.push_back(absolute(*plan, cwd));
    return out;
}

// Whether a run's stdout is one of the outputs whose job is personal data:
// an access report (a batch's too, whose exit status may say some subjects
// were not found or ambiguous) and consent list's mailing list. Not the
// report of export or breach notify-list, whose data goes to --output; not
// the failure report of an access that found nobody.
bool stdout_is_personal(const Command& c, int exit_code) {
    // With --output the personal data goes to that file, and stdout is a
    // report about it that must be clean (breach notify-list's always is).
    if (c.option("--output")) return false;
    if (c.is("access")) return exit_code == 0 || (c.option("--subjects-file") && (exit_code == 4 || exit_code == 5));
    if (c.is("consent", "list")) return exit_code == 0;
    return false;
}

int open_capture(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) die(path);
    // Above 2 whatever the script closed, so dup2 in the child never lands on itself.
    const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (high < 0) die(path);
    ::close(fd);
    return high;
}

void replay(const std::string& path, int to) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    char buf[1 << 16];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(to, buf + done, static_cast<std::size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                ::close(fd);
                return;  // the reader went away; dsr's status is what matters
            }
            done += w;
        }
    }
    ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string real = env("DSR_CANARY_REAL");
    const std::string dir = env("DSR_CANARY_DIR");
    if (real.empty() || dir.empty()) {
        std::fprintf(stderr, "dsr-canary-run: DSR_CANARY_REAL and DSR_CANARY_DIR must be set (see tests/e2e/run_one.sh)\n");
        return 1;
    }
    char cwd_buf[4096];
    const std::string cwd = ::getcwd(cwd_buf, sizeof cwd_buf) ? cwd_buf : ".";
    const Command command = parse(argc, argv);
    const long n = next_run(dir);
    const std::string base = dir + "/" + std::to_string(n);

    // Written before dsr runs, so a run killed with the wrapper still names its files.
    std::string meta = "args\t";
    for (int i = 1; i < argc; ++i) meta += std::string(i > 1 ? " " : "") + argv[i];
    meta += "\n";
    for (const auto& path : checked_paths(command, cwd)) meta += "check\t" + path + "\n";
    {
        std::ofstream m(base + ".meta");
        m << meta;
        if (!m) die(base + ".meta");
    }

    // A terminal stays a terminal (e2e.terminal's pty); only files and pipes are captured.
    const bool capture_out = !::isatty(1), capture_err = !::isatty(2);
    const int out_fd = capture_out ? open_capture(base + ".out") : -1;
    const int err_fd = capture_err ? open_capture(base + ".err") : -1;
    std::string tmpdir;
    const char* script_tmpdir = std::getenv("TMPDIR");
    if (!script_tmpdir || env("DSR_CANARY_TMPDIR") == script_tmpdir) {
        tmpdir = dir + "/tmp/" + std::to_string(n);
        if (::mkdir((dir + "/tmp").c_str(), 0700) != 0 && errno != EEXIST) die(dir + "/tmp");
        if (::mkdir(tmpdir.c_str(), 0700) != 0) die(tmpdir);
    }

    sigset_t forwarded, old_mask;
    sigemptyset(&forwarded);
    for (int sig : kForwarded) sigaddset(&forwarded, sig);
    // Blocked across fork, so a signal can neither find child_pid unset nor
    // reach the child before it has its default handlers back.
    ::sigprocmask(SIG_BLOCK, &forwarded, &old_mask);
    struct sigaction sa {};
    sa.sa_handler = forward;
    sigemptyset(&sa.sa_mask);
    for (int sig : kForwarded) ::sigaction(sig, &sa, nullptr);

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        // A `kill -9` of the pid the script holds (ours) kills dsr too.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(137);
        // For lib.sh's dsr_pid (a lock file names dsr's pid, a script knows
        // ours) and await_dsr_death. Written here, before dsr runs: so once
        // dsr could touch anything the file is there, and a wrapper killed
        // sooner has killed this child before it ran dsr.
        {
            std::ofstream p(dir + "/pid." + std::to_string(parent));
            p << ::getpid() << "\n";
        }
        for (int sig : kForwarded) ::signal(sig, SIG_DFL);
        ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        if (capture_out && ::dup2(out_fd, 1) < 0) ::_exit(126);
        if (capture_err && ::dup2(err_fd, 2) < 0) ::_exit(126);
        if (!tmpdir.empty()) ::setenv("TMPDIR", tmpdir.c_str(), 1);
        argv[0] = const_cast<char*>(real.c_str());
        ::execv(real.c_str(), argv);
        std::fprintf(stderr, "dsr-canary-run: cannot run %s: %s\n", real.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    child_pid = pid;
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) die("waitpid");
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

    std::string tail = "exit\t" + std::to_string(code) + "\n";
    if (capture_out) {
        const bool personal = stdout_is_personal(command, code);
        if (personal && ::rename((base + ".out").c_str(), (base + ".personal").c_str()) != 0) die(base + ".out");
        tail += std::string("stdout\t") + (personal ? "personal" : "checked") + "\n";
    }
    // An empty private TMPDIR goes; one with files stays for the search, and
    // is a finding unless dsr was killed (a kill may leave what it was writing).
    if (!tmpdir.empty() && ::rmdir(tmpdir.c_str()) != 0)
        tail += std::string(WIFSIGNALED(status) ? "tmp-killed\t" : "tmp-left\t") + tmpdir + "\n";
    {
        std::ofstream m(base + ".meta", std::ios::app);
        m << tail;
    }

    if (capture_out) replay(base + (stdout_is_personal(command, code) ? ".personal" : ".out"), 1);
    if (capture_err) replay(base + ".err", 2);

    if (WIFSIGNALED(status)) {
        // Die as dsr died, without a core of our own.
        const rlimit none{0, 0};
        ::setrlimit(RLIMIT_CORE, &none);
        ::signal(WTERMSIG(status), SIG_DFL);
        sigset_t all;
        sigfillset(&all);
        ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
        ::raise(WTERMSIG(status));
    }
    return code;
}
