// Quits the Qt event loop on SIGTERM, SIGINT and SIGHUP, so that `main` returns normally: the window
// is destroyed (its engine is asked to quit) and whatever is written on exit (e.g. --stats-file) gets
// written. A signal handler may only do async-signal-safe things, so it writes one byte into a
// socket pair; a QSocketNotifier on the other end quits the loop from the UI thread (the "self-pipe"
// pattern). POSIX only; elsewhere install() does nothing.
//
// Threading: construct on the UI thread, after the QApplication.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace tactus::gui {

class QuitOnSignals : public QObject {
    Q_OBJECT
public:
    explicit QuitOnSignals(QObject* parent = nullptr);
    ~QuitOnSignals() override;
    // Installs the handlers (once per process). False when the socket pair could not be made.
    bool install();
    // The signal that asked us to quit (0: none yet).
    int received() const { return received_; }

private:
    void onReadable();

    QSocketNotifier* notifier_ = nullptr;
    int received_ = 0;
};

}  // namespace tactus::gui
