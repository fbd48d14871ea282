#include "gui/soundfont_choice.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/general_midi_font.h"
#include "gui/soundfont_presets.h"

namespace tactus::gui {

namespace {
constexpr int kDrumBank = 128;
constexpr int kBankRole = Qt::UserRole;
constexpr int kProgramRole = Qt::UserRole + 1;

QString bankTitle(int bank) {
    return bank == kDrumBank ? QObject::tr("Bank 128: drum kits") : QObject::tr("Bank %1").arg(bank);
}
}  // namespace

SoundFontDialog::SoundFontDialog(SoundFontPresets& presets, const edit::SoundFontChoice& current,
                                 QWidget* parent)
    : QDialog(parent),
      presets_(presets),
      font_(QString::fromStdString(current.soundfont)),
      wanted_bank_(current.drums && current.bank >= 0 ? kDrumBank : current.bank),  // what it plays
      wanted_program_(current.program),
      font_label_(new QLabel(this)),
      search_(new QLineEdit(this)),
      tree_(new QTreeWidget(this)),
      drums_(new QCheckBox(tr("Drum track: the percussion bank (128), as MIDI channel 10"), this)),
      status_(new QLabel(this)),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(tr("SoundFont preset"));
    resize(460, 560);
    auto* general_midi = new QPushButton(tr("General MIDI"), this);
    general_midi->setToolTip(tr("The default font: %1").arg(kGeneralMidiFont));
    auto* other = new QPushButton(tr("Other font…"), this);
    connect(general_midi, &QPushButton::clicked, this, [this] { setSoundFont({}); });
    connect(other, &QPushButton::clicked, this, &SoundFontDialog::chooseFile);
    font_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* font_row = new QHBoxLayout;
    font_row->addWidget(font_label_, 1);
    font_row->addWidget(general_midi);
    font_row->addWidget(other);

    search_->setPlaceholderText(tr("Find a preset by name"));
    search_->setClearButtonEnabled(true);
    connect(search_, &QLineEdit::textChanged, this, &SoundFontDialog::filter);
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Program"), tr("Preset")});
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    tree_->setRootIsDecorated(true);
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) { selected(item); });
    connect(tree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
        if (item && item->parent()) accept();
    });
    drums_->setChecked(current.drums);
    status_->setWordWrap(true);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(&presets_, &SoundFontPresets::fontAnswered, this, [this](const QString& font) {
        if (font == font_) fill();
    });

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(font_row);
    layout->addWidget(search_);
    layout->addWidget(tree_, 1);
    layout->addWidget(drums_);
    layout->addWidget(status_);
    layout->addWidget(buttons_);
    setSoundFont(font_);
}

void SoundFontDialog::setSoundFont(const QString& font) {
    if (font != font_) wanted_bank_ = wanted_program_ = -1;  // the track's preset was in the other font
    font_ = font;
    font_label_->setText(font.isEmpty() ? tr("General MIDI (%1)").arg(QFileInfo(kGeneralMidiFont).fileName())
                                        : QFileInfo(font).fileName());
    font_label_->setToolTip(font.isEmpty() ? QString(kGeneralMidiFont) : font);
    presets_.request(font_);
    fill();
}

void SoundFontDialog::chooseFile() {
    const QString start = font_.isEmpty() ? QFileInfo(kGeneralMidiFont).absolutePath() : font_;
    const QString path =
        QFileDialog::getOpenFileName(this, tr("SoundFont"), start, tr("SoundFonts (*.sf2 *.sf3)"));
    if (!path.isEmpty()) setSoundFont(QFileInfo(path).absoluteFilePath());
}

// The font's presets, one branch per bank; the track's preset selected when it is there.
void SoundFontDialog::fill() {
    tree_->clear();
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(false);
    const FontPresets* font = presets_.presets(font_);
    if (!font || !font->answered) {
        status_->setText(font ? tr("Asking the engine for the font's presets…")
                              : tr("Not connected to the engine: its presets cannot be listed."));
        return;
    }
    if (!font->error.isEmpty()) {
        status_->setText(tr("The engine cannot read this font: %1").arg(font->error));
        return;
    }
    status_->setText(tr("%n preset(s) in %1", nullptr, int(font->presets.size())).arg(font->resolved));
    QTreeWidgetItem* bank = nullptr;
    for (const SoundFontPreset& p : font->presets) {
        if (!bank || bank->data(0, kBankRole).toInt() != p.bank) {
            bank = new QTreeWidgetItem(tree_, {bankTitle(p.bank)});
            bank->setData(0, kBankRole, p.bank);
            bank->setFirstColumnSpanned(true);
            bank->setFlags(Qt::ItemIsEnabled);
        }
        auto* item = new QTreeWidgetItem(bank, {QString::number(p.program), p.name});
        item->setData(0, kBankRole, p.bank);
        item->setData(0, kProgramRole, p.program);
    }
    tree_->expandAll();
    filter(search_->text());
    if (wanted_bank_ >= 0) selectPreset(wanted_bank_, wanted_program_);
}

void SoundFontDialog::filter(const QString& text) {
    for (int b = 0; b < tree_->topLevelItemCount(); ++b) {
        QTreeWidgetItem* bank = tree_->topLevelItem(b);
        int shown = 0;
        for (int i = 0; i < bank->childCount(); ++i) {
            const bool match = bank->child(i)->text(1).contains(text, Qt::CaseInsensitive);
            bank->child(i)->setHidden(!match);
            shown += match;
        }
        bank->setHidden(shown == 0);
    }
    if (tree_->currentItem() && tree_->currentItem()->isHidden()) tree_->setCurrentItem(nullptr);
}

bool SoundFontDialog::selectPreset(int bank, int program) {
    for (int b = 0; b < tree_->topLevelItemCount(); ++b) {
        QTreeWidgetItem* branch = tree_->topLevelItem(b);
        for (int i = 0; i < branch->childCount(); ++i) {
            QTreeWidgetItem* item = branch->child(i);
            if (item->data(0, kBankRole).toInt() == bank && item->data(0, kProgramRole).toInt() == program) {
                // The track's own drums setting stays; a preset chosen by hand sets it from its bank.
                const bool drums = drums_->isChecked();
                tree_->setCurrentItem(item);
                if (bank == wanted_bank_ && program == wanted_program_) drums_->setChecked(drums);
                tree_->scrollToItem(item);
                return true;
            }
        }
    }
    return false;
}

void SoundFontDialog::selected(QTreeWidgetItem* item) {
    const bool preset = item && item->parent();
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(preset);
    if (preset) drums_->setChecked(item->data(0, kBankRole).toInt() == kDrumBank);
}

std::optional<SoundFontPick> SoundFontDialog::pick() const {
    const QTreeWidgetItem* item = tree_->currentItem();
    if (!item || !item->parent()) return std::nullopt;
    return SoundFontPick{font_, item->data(0, kBankRole).toInt(), item->data(0, kProgramRole).toInt(),
                         drums_->isChecked(), item->text(1)};
}

std::optional<SoundFontPick> askForSoundFont(QWidget* parent, SoundFontPresets& presets,
                                             const edit::SoundFontChoice& current) {
    SoundFontDialog dialog(presets, current, parent);
    if (dialog.exec() != QDialog::Accepted) return std::nullopt;
    return dialog.pick();
}

}  // namespace tactus::gui
