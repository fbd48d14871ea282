#include "gui/render_dialog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/document_json.h"

namespace tactus::gui {

QString RenderDialog::defaultCliProgram() {
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath("tactus"), here.filePath("../cli/tactus")})
        if (QFileInfo(candidate).isExecutable()) return QFileInfo(candidate).canonicalFilePath();
    return QStringLiteral("tactus");
}

RenderDialog::RenderDialog(const Document& doc, const QString& output, const QString& program,
                           QWidget* parent)
    : QDialog(parent),
      output_(output),
      document_(QDir::temp().filePath("tactus-render-XXXXXX.json")),
      label_(new QLabel(tr("Rendering to %1").arg(output), this)),
      bar_(new QProgressBar(this)),
      button_(new QPushButton(tr("Cancel"), this)) {
    setWindowTitle(tr("Render to WAV"));
    bar_->setRange(0, 100);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label_);
    layout->addWidget(bar_);
    layout->addWidget(button_, 0, Qt::AlignRight);
    connect(button_, &QPushButton::clicked, this, [this] {
        if (process_.state() != QProcess::NotRunning) process_.kill();
        reject();
    });
    connect(&process_, &QProcess::readyReadStandardOutput, this, &RenderDialog::readProgress);
    connect(&process_, &QProcess::finished, this, &RenderDialog::finished);

    const std::string text = document_to_string(doc);
    if (!document_.open() || document_.write(text.data(), qint64(text.size())) != qint64(text.size()) ||
        !document_.flush()) {
        label_->setText(tr("Cannot write a temporary file: %1").arg(document_.errorString()));
        button_->setText(tr("Close"));
        return;
    }
    process_.start(program.isEmpty() ? defaultCliProgram() : program,
                   {"render", document_.fileName(), "-o", output, "--progress-lines"});
}

void RenderDialog::readProgress() {
    pending_ += process_.readAllStandardOutput();
    qsizetype newline;
    while ((newline = pending_.indexOf('\n')) >= 0) {
        const QByteArray line = pending_.left(newline).trimmed();
        pending_.remove(0, newline + 1);
        if (line.startsWith("progress ")) bar_->setValue(line.mid(9).toInt());
    }
}

void RenderDialog::finished(int code, QProcess::ExitStatus status) {
    succeeded_ = status == QProcess::NormalExit && code == 0;
    if (succeeded_) {
        bar_->setValue(100);
        label_->setText(tr("Rendered %1").arg(output_));
    } else {
        label_->setText(
            tr("Rendering failed: %1").arg(QString::fromUtf8(process_.readAllStandardError()).trimmed()));
    }
    button_->setText(tr("Close"));
    disconnect(button_, nullptr, this, nullptr);
    connect(button_, &QPushButton::clicked, this, succeeded_ ? &QDialog::accept : &QDialog::reject);
}

}  // namespace tactus::gui
