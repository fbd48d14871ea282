#include "gui/csound_choice.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMessageBox>
#include <QRegularExpression>

namespace tactus::gui {

namespace {

QString withoutComments(QString line) {
    line.remove(QRegularExpression(QStringLiteral("/\\*.*\\*/")));
    for (const QString& mark : {QStringLiteral(";"), QStringLiteral("//")})
        if (const auto at = line.indexOf(mark); at >= 0) line.truncate(at);
    return line;
}

}  // namespace

QStringList orchestraInstruments(const QString& text) {
    QString orchestra = text;
    // A .csd: only its <CsInstruments> section is the orchestra.
    const auto open = text.indexOf(QStringLiteral("<CsInstruments>"));
    if (open >= 0) {
        const auto from = open + QStringLiteral("<CsInstruments>").size();
        const auto close = text.indexOf(QStringLiteral("</CsInstruments>"), from);
        orchestra = text.mid(from, close < 0 ? -1 : close - from);
    }
    static const QRegularExpression instr(QStringLiteral("^\\s*instr\\s+(.+)$"));
    QStringList out;
    for (const QString& raw : orchestra.split('\n')) {
        const auto match = instr.match(withoutComments(raw));
        if (!match.hasMatch()) continue;
        for (QString name : match.captured(1).split(',')) {
            name = name.trimmed();
            if (name.startsWith('+')) name.remove(0, 1);
            if (!name.isEmpty() && !out.contains(name)) out << name;
        }
    }
    return out;
}

std::optional<CsoundPick> askForCsound(QWidget* parent, const QString& start_dir) {
    const QString path = QFileDialog::getOpenFileName(parent, QObject::tr("Csound orchestra"), start_dir,
                                                      QObject::tr("Csound orchestras (*.orc *.csd)"));
    if (path.isEmpty()) return std::nullopt;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        QMessageBox::warning(parent, QObject::tr("Csound orchestra"),
                             QObject::tr("%1 cannot be read: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    const QStringList instruments = orchestraInstruments(QString::fromUtf8(file.readAll()));
    if (instruments.isEmpty()) {
        QMessageBox::warning(parent, QObject::tr("Csound orchestra"),
                             QObject::tr("%1 defines no instrument (no 'instr' line).").arg(path));
        return std::nullopt;
    }
    bool ok = false;
    const QString instrument = QInputDialog::getItem(
        parent, QObject::tr("Csound instrument"),
        QObject::tr("Instrument of %1:").arg(QFileInfo(path).fileName()), instruments, 0, false, &ok);
    if (!ok) return std::nullopt;
    return CsoundPick{QFileInfo(path).absoluteFilePath(), instrument};
}

}  // namespace tactus::gui
