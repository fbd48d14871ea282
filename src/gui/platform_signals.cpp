#include "gui/platform_signals.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#if defined(Q_OS_UNIX)
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#endif

namespace tactus::gui {

#if defined(Q_OS_UNIX)
namespace {

// [0]: written by the handler; [1]: read by the notifier. One pair per process (handlers are global).
int signal_pair[2] = {-1, -1};

void onSignal(int signal) {
    const int saved = errno;  // the interrupted code may be looking at errno
    const unsigned char byte = static_cast<unsigned char>(signal);
    [[maybe_unused]] const ssize_t written = ::write(signal_pair[0], &byte, 1);
    errno = saved;
}

}  // namespace
#endif

QuitOnSignals::QuitOnSignals(QObject* parent) : QObject(parent) {}

QuitOnSignals::~QuitOnSignals() = default;

bool QuitOnSignals::install() {
#if defined(Q_OS_UNIX)
    if (notifier_) return true;
    if (signal_pair[0] < 0 && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signal_pair) != 0)
        return false;
    // A handler must never block: a full buffer (a storm of signals) drops the extra bytes.
    ::fcntl(signal_pair[0], F_SETFL, ::fcntl(signal_pair[0], F_GETFL) | O_NONBLOCK);
    notifier_ = new QSocketNotifier(signal_pair[1], QSocketNotifier::Read, this);
    connect(notifier_, &QSocketNotifier::activated, this, &QuitOnSignals::onReadable);
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int signal : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(signal, &action, nullptr);
    return true;
#else
    return false;
#endif
}

void QuitOnSignals::onReadable() {
#if defined(Q_OS_UNIX)
    unsigned char byte = 0;
    if (::read(signal_pair[1], &byte, 1) == 1 && received_ == 0) received_ = byte;
    // exit(), not quit(): Qt 6's quit() asks the windows to close, and a window with unsaved changes
    // would answer with a dialog nobody sees.
    QCoreApplication::exit(0);
#endif
}

}  // namespace tactus::gui
