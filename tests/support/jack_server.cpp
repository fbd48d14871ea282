#include "support/jack_server.h"

#include <fcntl.h>
#include <jack/jack.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace tactus::test {

namespace {

std::atomic<int> server_count{0};
std::atomic<bool> probing{false};

// libjack reports every failed connection attempt on stderr; while we poll for the server to come up,
// those are expected, so they are dropped. Other messages still go to stderr.
void filtered_jack_error(const char* message) {
    if (!probing.load()) std::fprintf(stderr, "libjack: %s\n", message);
}

bool executable_exists(const char* path) {
    return access(path, X_OK) == 0;
}

// Reaps `pid` if it has exited; true when it is gone.
bool reaped(pid_t pid) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    return r == pid || (r < 0 && errno == ECHILD);
}

// The names of test and benchmark servers in jack2's registry (/dev/shm/jack-shm-registry) whose process
// is gone: "jack-<uid>:tactus-<kind>-<pid>...:" (tests: "tactus-test-<pid>-<n>"; bench/*.sh:
// "tactus-bench-<pid>", "tactus-dsp-<pid>"). Read as bytes, so the registry's layout does not matter.
std::vector<std::string> dead_test_server_names() {
    std::ifstream in("/dev/shm/jack-shm-registry", std::ios::binary);
    const std::string registry((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string prefix = "jack-" + std::to_string(getuid()) + ":tactus-";
    std::vector<std::string> names;
    for (std::size_t at = registry.find(prefix); at != std::string::npos;
         at = registry.find(prefix, at + 1)) {
        const std::size_t name_start = at + prefix.size() - std::string("tactus-").size();
        const std::size_t name_end = registry.find(':', name_start);
        const std::size_t kind_end = registry.find('-', at + prefix.size());
        if (name_end == std::string::npos || kind_end == std::string::npos || kind_end > name_end) continue;
        const std::string name = registry.substr(name_start, name_end - name_start);
        const pid_t owner = static_cast<pid_t>(std::atoi(registry.c_str() + kind_end + 1));
        if (owner > 0 && owner != getpid() && kill(owner, 0) != 0 && errno == ESRCH) names.push_back(name);
    }
    return names;
}

thread_local bool reclaiming = false;

// Frees the registry entries of test servers that were killed (by an earlier run, say): jack2 frees a
// dead entry only when a server of the same name starts, so each is started and stopped cleanly.
void reclaim_dead_test_servers() {
    if (reclaiming) return;
    reclaiming = true;
    for (const std::string& name : dead_test_server_names()) {
        JackServerOptions options;
        options.name = name;
        JackServer reclaim(options);
    }
    reclaiming = false;
}

}  // namespace

JackServer::JackServer(JackServerOptions options) : options_(std::move(options)) {
    if (options_.name.empty()) {
        options_.name =
            "tactus-test-" + std::to_string(getpid()) + "-" + std::to_string(server_count.fetch_add(1));
    }
    log_path_ = (std::filesystem::temp_directory_path() / (options_.name + ".log")).string();
    jack_set_error_function(&filtered_jack_error);
    // A dummy jackd started on a busy machine sometimes wedges before its first client (seen in CI:
    // "NotifyAddClient new_client fails", then every client refused): start it again rather than
    // fail the test, a few times.
    std::string failures;
    for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
        if (!launch()) return;  // cannot even run jackd: no point in retrying
        if (wait_until_ready()) return;
        failures += "attempt " + std::to_string(attempt) + ": " + error_ + "\n";
        stop();
        if (error_.find("Too many servers already active") != std::string::npos) reclaim_dead_test_servers();
        if (attempt < kStartAttempts) error_.clear();
    }
    error_ = failures;
}

bool JackServer::launch() {
    std::vector<std::string> args;
    const bool with_setpriv = executable_exists("/usr/bin/setpriv") || executable_exists("/bin/setpriv");
    if (with_setpriv) args = {"setpriv", "--pdeathsig", "TERM"};
    args.push_back("jackd");
    // TACTUS_TEST_JACK_NO_REALTIME=1: the server and its clients without realtime scheduling, as for a
    // user without realtime privileges; the way to see the tests hold when xruns are many.
    if (const char* no_rt = std::getenv("TACTUS_TEST_JACK_NO_REALTIME"); no_rt && *no_rt && *no_rt != '0')
        args.push_back("--no-realtime");
    for (const std::string& arg :
         {std::string("-n"), options_.name, std::string("-t"),
          std::to_string(options_.client_timeout.count()), std::string("-d"), std::string("dummy"),
          std::string("-r"), std::to_string(options_.sample_rate), std::string("-p"),
          std::to_string(options_.period)}) {
        args.push_back(arg);
    }
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        error_ = std::string("cannot launch ") + argv[0] + ": " + std::strerror(spawned);
        return false;
    }
    pid_ = pid;
    return true;
}

bool JackServer::wait_until_ready() {
    const auto deadline = std::chrono::steady_clock::now() + options_.startup_timeout;
    probing.store(true);
    bool ready = false;
    while (!ready) {
        if (reaped(pid_)) {
            pid_ = -1;
            error_ = "jackd -n " + options_.name + " exited during startup; its log:\n" + log();
            break;
        }
        jack_status_t status{};
        if (jack_client_t* probe = jack_client_open(
                "tactus-test-probe", static_cast<jack_options_t>(JackNoStartServer | JackServerName), &status,
                options_.name.c_str())) {
            jack_client_close(probe);
            ready = true;
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            error_ = "jackd -n " + options_.name + " did not accept a client within " +
                     std::to_string(options_.startup_timeout.count()) + " ms; its log:\n" + log();
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    probing.store(false);
    return ready;
}

bool JackServer::suspend() {
    was_suspended_ = true;
    suspended_ = true;
    return pid_ > 0 && kill(pid_, SIGSTOP) == 0;
}

bool JackServer::resume() {
    suspended_ = false;
    resumed_at_ = std::chrono::steady_clock::now();
    return pid_ > 0 && kill(pid_, SIGCONT) == 0;
}

void JackServer::stop() {
    if (pid_ <= 0) return;
    if (was_suspended_) {
        if (suspended_) resume();
        std::this_thread::sleep_until(resumed_at_ + std::chrono::seconds(3));
    }
    if (!terminate(std::chrono::seconds(5))) reclaim_registration();
    pid_ = -1;
    remove_leftover_semaphores();
}

// SIGTERM, then SIGKILL after `patience`; true when jackd exited on its own.
bool JackServer::terminate(std::chrono::seconds patience) {
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (!reaped(pid_)) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

// jack2 can deadlock on SIGTERM while it is still removing a client that was SIGKILLed just before
// (ClientKill waits up to ten client timeouts for a driver cycle that its own shutdown stopped). A killed
// jackd stays in /dev/shm's server registry, and with 8 such entries no jackd starts at all ("Too many
// servers already active"). jack2 frees a dead entry only for a server of the same name: start one with
// no clients and let it exit cleanly.
void JackServer::reclaim_registration() {
    if (launch() && wait_until_ready())
        terminate(std::chrono::seconds(10));
    else if (pid_ > 0)
        terminate(std::chrono::seconds(1));
}

// A client still connected when its server dies leaves its semaphore behind in /dev/shm
// ("jack_sem.<uid>_<server>_<client>"): neither the dead server nor jack_client_close() removes it.
void JackServer::remove_leftover_semaphores() const {
    std::error_code ignored;
    const std::string infix = "_" + options_.name + "_";
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ignored)) {
        const std::string file = entry.path().filename().string();
        if (file.rfind("jack_sem.", 0) == 0 && file.find(infix) != std::string::npos) {
            std::filesystem::remove(entry.path(), ignored);
        }
    }
}

JackServer::~JackServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove(log_path_, ignored);
}

std::string JackServer::log() const {
    std::ifstream in(log_path_);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace tactus::test
