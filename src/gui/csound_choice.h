// Choosing a Csound orchestra for a track: the orchestra file (a file dialog for .orc and .csd) and
// one of its instruments, read from the file's own `instr` lines (numbers and names), so the GUI never
// needs the engine's Csound to offer them. The engine compiles the file when the edit arrives and
// answers with Csound's error (and its line) if it does not compile.
//
// Threading: the UI thread.
#pragma once

#include <QString>
#include <QStringList>
#include <functional>
#include <optional>

class QWidget;

namespace tactus::gui {

struct CsoundPick {
    QString orchestra;   // absolute path of the file
    QString instrument;  // a number ("3") or a name ("Bell")
};

// The instruments an orchestra's text defines, in order: each name or number of every `instr` line
// (`instr 1, Bell` gives "1" and "Bell"); in a .csd only those inside <CsInstruments>. Comments
// (`;`, `//`, `/* */` on one line) are skipped.
QStringList orchestraInstruments(const QString& text);

// Asks the user: a file dialog, then the instrument (none offered: the file is refused with a message).
// nullopt when cancelled.
std::optional<CsoundPick> askForCsound(QWidget* parent, const QString& start_dir);

// How a track strip asks (tests replace the dialogs).
using CsoundChooser = std::function<std::optional<CsoundPick>(QWidget* parent)>;

}  // namespace tactus::gui
