// Render to WAV with a progress dialog: the document is rendered offline by `tactus render` in a
// process of its own (the GUI never runs engine code), which reports its progress line by line.
// Cancel stops it; a failure shows what the renderer said.
#pragma once

#include <QDialog>
#include <QProcess>
#include <QTemporaryFile>

#include "core/score.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace tactus::gui {

class RenderDialog : public QDialog {
    Q_OBJECT
public:
    // Renders with `program` (the `tactus` command; "" = the one next to this program).
    RenderDialog(const Document& doc, const QString& output, const QString& program,
                 QWidget* parent = nullptr);
    static QString defaultCliProgram();
    bool succeeded() const { return succeeded_; }

private:
    void readProgress();
    void finished(int code, QProcess::ExitStatus status);

    QString output_;
    QTemporaryFile document_;
    QProcess process_;
    QLabel* label_;
    QProgressBar* bar_;
    QPushButton* button_;
    QByteArray pending_;
    bool succeeded_ = false;
};

}  // namespace tactus::gui
