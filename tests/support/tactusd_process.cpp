#include "support/tactusd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/osc_inbox.h"

extern char** environ;

namespace tactus::test {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::atomic<int> process_count{0};

// Binds a socket of `type` to 127.0.0.1:port (0 = any); returns the fd and the port, or -1.
int bind_local(int type, int port, int* bound_port) {
    const int fd = socket(AF_INET, type, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        close(fd);
        return -1;
    }
    *bound_port = ntohs(addr.sin_port);
    return fd;
}

bool executable_exists(const char* path) {
    return access(path, X_OK) == 0;
}

template <typename T>
T load(const void* at) {
    T value;
    std::memcpy(&value, at, sizeof value);
    return value;
}

}  // namespace

int free_local_port() {
    for (int attempt = 0; attempt < 50; ++attempt) {
        int port = 0;
        const int udp = bind_local(SOCK_DGRAM, 0, &port);
        if (udp < 0) continue;
        int same = 0;
        const int tcp = bind_local(SOCK_STREAM, port, &same);
        close(udp);
        if (tcp >= 0) {
            close(tcp);
            return port;
        }
    }
    return 0;
}

std::int64_t realtime_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

lo_timetag ntp_timetag_from_unix_ns(std::int64_t unix_ns) {
    constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;  // 1900-01-01 to 1970-01-01
    const std::int64_t seconds = unix_ns / 1'000'000'000;
    const std::int64_t rest = unix_ns % 1'000'000'000;
    lo_timetag tt;
    tt.sec = static_cast<std::uint32_t>(seconds + kNtpToUnixSeconds);
    tt.frac =
        static_cast<std::uint32_t>(((static_cast<std::uint64_t>(rest) << 32) + 500'000'000) / 1'000'000'000);
    return tt;
}

// ---- OscIncoming ----

std::int64_t OscIncoming::integer(std::size_t i) const {
    if (i < args.size()) {
        if (const auto* v = std::get_if<std::int64_t>(&args[i].value)) return *v;
    }
    throw std::runtime_error("argument " + std::to_string(i) + " of " + to_string() + " is not an integer");
}

double OscIncoming::number(std::size_t i) const {
    if (i < args.size()) {
        if (const auto* v = std::get_if<double>(&args[i].value)) return *v;
        if (const auto* v = std::get_if<std::int64_t>(&args[i].value)) return static_cast<double>(*v);
    }
    throw std::runtime_error("argument " + std::to_string(i) + " of " + to_string() + " is not a number");
}

const std::string& OscIncoming::string(std::size_t i) const {
    if (i < args.size()) {
        if (const auto* v = std::get_if<std::string>(&args[i].value)) return *v;
    }
    throw std::runtime_error("argument " + std::to_string(i) + " of " + to_string() + " is not a string");
}

std::string OscIncoming::to_string() const {
    std::ostringstream out;
    out << address << " ," << types;
    for (const OscValue& a : args) {
        out << ' ';
        if (const auto* i = std::get_if<std::int64_t>(&a.value)) out << *i;
        if (const auto* d = std::get_if<double>(&a.value)) out << *d;
        if (const auto* s = std::get_if<std::string>(&a.value)) out << '"' << *s << '"';
        if (const auto* b = std::get_if<bool>(&a.value)) out << (*b ? "true" : "false");
    }
    return out.str();
}

// ---- OscOutgoing ----

OscOutgoing::OscOutgoing() : message_(lo_message_new()) {}
OscOutgoing::~OscOutgoing() {
    if (message_) lo_message_free(message_);
}
OscOutgoing::OscOutgoing(OscOutgoing&& other) noexcept : message_(other.message_) {
    other.message_ = nullptr;
}
OscOutgoing& OscOutgoing::i(std::int32_t v) & {
    lo_message_add_int32(message_, v);
    return *this;
}
OscOutgoing& OscOutgoing::h(std::int64_t v) & {
    lo_message_add_int64(message_, v);
    return *this;
}
OscOutgoing& OscOutgoing::d(double v) & {
    lo_message_add_double(message_, v);
    return *this;
}
OscOutgoing& OscOutgoing::s(const std::string& v) & {
    lo_message_add_string(message_, v.c_str());
    return *this;
}
lo_message OscOutgoing::release() {
    lo_message m = message_;
    message_ = nullptr;
    return m;
}

// ---- OscTestClient ----

OscTestClient::OscTestClient() = default;

OscTestClient::~OscTestClient() {
    if (target_) lo_address_free(target_);
    if (server_) lo_server_free(server_);
}

bool OscTestClient::open(int port, std::string* error) {
    // Opened again (a test restarting its engine): the old socket and inbox go.
    if (target_) lo_address_free(target_);
    if (server_) lo_server_free(server_);
    target_ = nullptr;
    inbox_.clear();
    server_ = lo_server_new_with_proto(nullptr, LO_UDP, nullptr);
    if (!server_) {
        if (error) *error = "cannot open a UDP socket for replies";
        return false;
    }
    lo_server_add_method(server_, nullptr, nullptr, &OscTestClient::on_message, this);
    target_ = lo_address_new("127.0.0.1", std::to_string(port).c_str());
    if (!target_) {
        if (error) *error = "bad target port " + std::to_string(port);
        return false;
    }
    return true;
}

int OscTestClient::local_port() const {
    return server_ ? lo_server_get_port(server_) : 0;
}

bool OscTestClient::send(const std::string& address, const OscOutgoing& message) {
    return lo_send_message_from(target_, server_, address.c_str(), message.get()) >= 0;
}

bool OscTestClient::send_bundle(lo_timetag when, std::vector<std::pair<std::string, OscOutgoing>> messages) {
    lo_bundle bundle = lo_bundle_new(when);
    for (auto& [address, message] : messages)
        lo_bundle_add_message(bundle, address.c_str(), message.release());
    const bool ok = lo_send_bundle_from(target_, server_, bundle) >= 0;
    lo_bundle_free_recursive(bundle);  // frees the messages with it
    return ok;
}

int OscTestClient::on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message,
                              void* self) {
    OscIncoming m;
    m.address = path;
    m.types = types;
    for (int i = 0; i < argc; ++i) {
        // liblo packs arguments at 4-byte alignment: an lo_arg* may be misaligned for its union (and
        // for 'h'/'d'), so values are copied out, never read through the union.
        const void* raw = argv[i];
        OscValue v;
        v.type = types[i];
        switch (types[i]) {
            case 'i':
                v.value = std::int64_t{load<std::int32_t>(raw)};
                break;
            case 'h':
                v.value = load<std::int64_t>(raw);
                break;
            case 'f':
                v.value = double{load<float>(raw)};
                break;
            case 'd':
                v.value = load<double>(raw);
                break;
            case 's':
            case 'S':
                v.value = std::string(static_cast<const char*>(raw));
                break;
            case 'T':
                v.value = true;
                break;
            case 'F':
                v.value = false;
                break;
            default:
                v.value = std::string("<") + types[i] + ">";
                break;
        }
        m.args.push_back(std::move(v));
    }
    static_cast<OscTestClient*>(self)->inbox_.push_back(std::move(m));
    return 0;
}

bool OscTestClient::pump(milliseconds timeout) {
    return lo_server_recv_noblock(server_,
                                  static_cast<int>(std::max<milliseconds::rep>(timeout.count(), 0))) > 0;
}

std::optional<OscIncoming> OscTestClient::receive(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (inbox_.empty()) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return std::nullopt;
        pump(left);
    }
    OscIncoming m = std::move(inbox_.front());
    inbox_.pop_front();
    return m;
}

std::optional<OscIncoming> OscTestClient::wait_reply(const std::string& address, milliseconds timeout) {
    return take_first(
        inbox_, timeout, [&](const OscIncoming& m) { return answers(m, address); },
        [this](milliseconds left) { return pump(left); });
}

std::optional<OscIncoming> OscTestClient::wait_message(const std::string& address, milliseconds timeout) {
    return take_first(
        inbox_, timeout, [&](const OscIncoming& m) { return m.address == address; },
        [this](milliseconds left) { return pump(left); });
}

std::optional<OscIncoming> OscTestClient::call(const std::string& address, const OscOutgoing& message,
                                               milliseconds timeout) {
    if (!send(address, message)) return std::nullopt;
    return wait_reply(address, timeout);
}

// ---- ChildProcess ----

namespace {

// posix_spawnp with stdin from /dev/null and stdout + stderr into `output_path`; the pid or -1.
pid_t spawn_logged(std::vector<std::string> args, const std::string& output_path, std::string* error) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        *error = std::string("cannot launch ") + argv[0] + ": " + std::strerror(spawned);
        return -1;
    }
    return pid;
}

// Waits up to `timeout` for `pid` to exit, then SIGKILLs it; the wait status. *killed (if given) says
// whether it had to be killed.
int reap(pid_t pid, std::chrono::milliseconds timeout, bool* killed = nullptr) {
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    if (killed) *killed = false;
    for (;;) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0) return 0;  // not our child any more (already reaped)
        if (Clock::now() > deadline) {
            if (killed) *killed = true;
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return status;
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string output_path)
    : output_path_(std::move(output_path)) {
    pid_ = spawn_logged(std::move(argv), output_path_, &error_);
}

ChildProcess::~ChildProcess() {
    stop();
}

std::string ChildProcess::output() const {
    return read_file(output_path_);
}

int ChildProcess::stop() {
    if (pid_ <= 0) return status_;
    kill(pid_, SIGTERM);
    const int status = reap(pid_, std::chrono::seconds(10));  // the stop bound (5 s) and a margin
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return status_;
}

// ---- TactusdProcess ----

TactusdProcess::TactusdProcess(TactusdOptions options) : options_(std::move(options)) {
    port_ = free_local_port();
    if (port_ == 0) {
        error_ = "no free local port for tactusd";
        return;
    }
    log_path_ =
        (std::filesystem::temp_directory_path() / ("tactusd-e2e-" + std::to_string(getpid()) + "-" +
                                                   std::to_string(process_count.fetch_add(1)) + ".log"))
            .string();
    std::vector<std::string> args;
    if (executable_exists("/usr/bin/setpriv") || executable_exists("/bin/setpriv"))
        args = {"setpriv", "--pdeathsig", "KILL"};
    for (const std::string& a :
         {options_.daemon_path, std::string("--audio"), std::string("jack"), std::string("--jack-server"),
          options_.jack_server, std::string("--name"), options_.client_name, std::string("--device"),
          std::string("none"), std::string("--listen"), "127.0.0.1:" + std::to_string(port_)})
        args.push_back(a);
    // The tests' clients speak loopback UDP, so the files they name must lie in an allowed directory:
    // their temporary files and the repository's examples.
    args.push_back("--allow-dir");
    args.push_back(std::filesystem::temp_directory_path().string());
#ifdef TACTUS_SOURCE_DIR
    args.push_back("--allow-dir");
    args.push_back(TACTUS_SOURCE_DIR);
#endif
    for (const std::string& a : options_.extra_args) args.push_back(a);
    pid_ = spawn_logged(std::move(args), log_path_, &error_);
    if (pid_ <= 0) return;
    if (!wait_until_ready()) quit();
}

TactusdProcess::~TactusdProcess() {
    quit();
    std::error_code ignored;
    if (!log_path_.empty()) std::filesystem::remove(log_path_, ignored);
}

bool TactusdProcess::exited(int* status) {
    const pid_t r = waitpid(pid_, status, WNOHANG);
    return r == pid_ || (r < 0 && errno == ECHILD);
}

bool TactusdProcess::wait_until_ready() {
    OscTestClient client;
    std::string problem;
    if (!client.open(port_, &problem)) {
        error_ = problem;
        return false;
    }
    const auto deadline = Clock::now() + options_.startup_timeout;
    while (Clock::now() < deadline) {
        int status = 0;
        if (exited(&status)) {
            pid_ = -1;
            error_ =
                "tactusd exited during startup (status " + std::to_string(status) + "); its log:\n" + log();
            return false;
        }
        if (client.call("/ping", OscOutgoing(), milliseconds(100))) return true;
    }
    error_ = "tactusd did not answer /ping on port " + std::to_string(port_) + " within " +
             std::to_string(options_.startup_timeout.count()) + " ms; its log:\n" + log();
    return false;
}

bool TactusdProcess::suspend() {
    return pid_ > 0 && kill(pid_, SIGSTOP) == 0;
}
bool TactusdProcess::resume() {
    return pid_ > 0 && kill(pid_, SIGCONT) == 0;
}

int TactusdProcess::quit() {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, SIGCONT);  // in case a test left it frozen
    {
        OscTestClient client;
        std::string ignored;
        if (client.open(port_, &ignored)) client.call("/quit", OscOutgoing(), milliseconds(500));
    }
    const int status = reap(pid_, std::chrono::seconds(10));  // the stop bound (5 s) and a margin
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return exit_status_;
}

int TactusdProcess::stop_with_signal(int signal, std::chrono::milliseconds timeout, bool* killed) {
    if (killed) *killed = false;
    if (pid_ <= 0) return exit_status_;
    kill(pid_, SIGCONT);  // in case a test left it frozen
    kill(pid_, signal);
    const int status = reap(pid_, timeout, killed);
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return exit_status_;
}

std::string TactusdProcess::log() const {
    return read_file(log_path_);
}

}  // namespace tactus::test
