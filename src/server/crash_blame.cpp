#include "server/crash_blame.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "engine/lv2/plugin_catalogue.h"
#include "engine/lv2/refused_plugins.h"
#include "engine/lv2/running_plugin.h"
#include "engine/midi_out_bus.h"

namespace tactus {

namespace {

constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
constexpr std::size_t kMaxUri = 4096;  // a longer "URI" is memory gone bad: cut there

int g_report_fd = -1;
alignas(16) char g_alternate_stack[64 * 1024];

const char* signal_name(int signal) {
    switch (signal) {
        case SIGSEGV:
            return "SIGSEGV";
        case SIGBUS:
            return "SIGBUS";
        case SIGILL:
            return "SIGILL";
        case SIGFPE:
            return "SIGFPE";
        case SIGABRT:
            return "SIGABRT";
        default:
            return "a signal";
    }
}

// Async-signal-safe from here to on_crash's end: write(2) and plain loops only.
void put(int fd, const char* text, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, text, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n;
        size -= std::size_t(n);
    }
}

void put(int fd, const char* text) {
    std::size_t size = 0;
    while (text[size] != '\0') ++size;
    put(fd, text, size);
}

void put_number(int fd, long value) {
    char digits[24];
    std::size_t at = sizeof digits;
    const bool negative = value < 0;
    unsigned long v = negative ? 0UL - static_cast<unsigned long>(value) : static_cast<unsigned long>(value);
    do {
        digits[--at] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0 && at > 1);
    if (negative) digits[--at] = '-';
    put(fd, digits + at, sizeof digits - at);
}

// The URI's length, up to its end, the first character no URI has, or kMaxUri.
std::size_t uri_length(const char* uri) {
    std::size_t n = 0;
    while (n < kMaxUri && uri[n] > ' ' && uri[n] < 127) ++n;
    return n;
}

void on_crash(int signal, siginfo_t* info, void*) {
    const char* uri = lv2::running_plugin();
    // kill(1) from another process: no crash of ours, nobody to blame.
    const bool sent = info != nullptr && info->si_code <= 0 && info->si_pid != ::getpid();
    if (sent) {
        put(STDERR_FILENO, "tactusd: killed by ");
        put(STDERR_FILENO, signal_name(signal));
        put(STDERR_FILENO, " sent by process ");
        put_number(STDERR_FILENO, info->si_pid);
        put(STDERR_FILENO, " (not a crash)\n");
    } else if (uri != nullptr && uri_length(uri) > 0) {
        const std::size_t n = uri_length(uri);
        put(STDERR_FILENO, "tactusd: crashed in LV2 plugin <");
        put(STDERR_FILENO, uri, n);
        put(STDERR_FILENO, "> (");
        put(STDERR_FILENO, signal_name(signal));
        put(STDERR_FILENO, ")\n");
        if (g_report_fd >= 0) {
            put(g_report_fd, uri, n);
            put(g_report_fd, "\n", 1);
        }
    } else {
        put(STDERR_FILENO, "tactusd: crashed (");
        put(STDERR_FILENO, signal_name(signal));
        put(STDERR_FILENO, ", not in a plugin)\n");
    }
    // Ask the audio thread (if it still runs) to send All Notes Off to the external synths on the MIDI
    // output, and give it a few periods.
    MidiOutBus::emergency_all_notes_off();
    const timespec wait{0, 50'000'000};
    ::nanosleep(&wait, nullptr);
    // SA_RESETHAND made the action the default again: the signal, raised (or, for a fault, met again
    // when the instruction is retried), ends the process as it says.
    ::raise(signal);
}

}  // namespace

bool install_crash_handlers(const std::string& report_path, std::string* error) {
    if (!report_path.empty()) {
        // Emptied now: after a crash it holds the URI of the plugin that crashed, or stays empty.
        g_report_fd = ::open(report_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (g_report_fd < 0) {
            if (error) *error = "--crash-report: cannot create " + report_path + ": " + std::strerror(errno);
            return false;
        }
    }
    // The main thread's handler runs on a stack of its own (a plugin that overflowed its stack on this
    // thread is still named).
    stack_t stack{};
    stack.ss_sp = g_alternate_stack;
    stack.ss_size = sizeof g_alternate_stack;
    ::sigaltstack(&stack, nullptr);
    struct sigaction action {};
    action.sa_sigaction = on_crash;
    action.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (const int signal : kCrashSignals) ::sigaction(signal, &action, nullptr);
    return true;
}

}  // namespace tactus
