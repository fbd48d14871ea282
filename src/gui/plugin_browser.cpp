#include "gui/plugin_browser.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <map>

#include "gui/plugin_catalog.h"

namespace tactus::gui {

namespace {
constexpr int kUriRole = Qt::UserRole;

QString ports(const PluginInfo& p) {
    QString text = QObject::tr("%1 in, %2 out").arg(p.audioInputs).arg(p.audioOutputs);
    if (p.midiInput) text += QObject::tr(", MIDI");
    return text;
}
}  // namespace

PluginBrowser::PluginBrowser(PluginCatalog& catalog, PluginKind kind, QWidget* parent)
    : QDialog(parent),
      catalog_(catalog),
      kind_(kind),
      category_(new QComboBox(this)),
      search_(new QLineEdit(this)),
      tree_(new QTreeWidget(this)),
      status_(new QLabel(this)),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(kind == PluginKind::Instrument ? tr("LV2 instrument") : tr("Insert effect"));
    resize(720, 560);
    search_->setPlaceholderText(tr("Find a plugin by name or URI"));
    search_->setClearButtonEnabled(true);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Category"), this));
    row->addWidget(category_);
    row->addWidget(search_, 1);
    tree_->setColumnCount(4);
    tree_->setHeaderLabels({tr("Plugin"), tr("URI"), tr("Ports"), tr("Cannot play")});
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    tree_->setRootIsDecorated(true);
    status_->setWordWrap(true);
    connect(category_, &QComboBox::currentIndexChanged, this, [this] { applyFilter(); });
    connect(search_, &QLineEdit::textChanged, this, [this] { applyFilter(); });
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        buttons_->button(QDialogButtonBox::Ok)
            ->setEnabled(item && item->parent() && (item->flags() & Qt::ItemIsSelectable));
    });
    connect(tree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
        if (item && item->parent() && (item->flags() & Qt::ItemIsSelectable)) accept();
    });
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(&catalog_, &PluginCatalog::listed, this, &PluginBrowser::fill);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(tree_, 1);
    layout->addWidget(status_);
    layout->addWidget(buttons_);
    catalog_.request();
    fill();
}

// Instruments take MIDI; effects take audio. The others are not offered at all.
bool PluginBrowser::fits(const PluginInfo& p) const {
    return kind_ == PluginKind::Instrument ? p.isInstrument() : p.isEffect();
}

// One branch per category, plugins by name inside it.
void PluginBrowser::fill() {
    tree_->clear();
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(false);
    if (!catalog_.isListed()) {
        status_->setText(catalog_.isAsked()
                             ? tr("Asking the engine for its plugins…")
                             : tr("Not connected to the engine: its plugins cannot be listed."));
        return;
    }
    std::map<QString, std::vector<const PluginInfo*>> by_category;
    for (const PluginInfo& p : catalog_.plugins())
        if (fits(p)) by_category[p.category.isEmpty() ? tr("Other") : p.category].push_back(&p);
    const QString chosen = category_->currentData().toString();
    {
        const QSignalBlocker block(category_);
        category_->clear();
        category_->addItem(tr("All"), QString());
        for (const auto& [category, list] : by_category) category_->addItem(category, category);
        const int at = category_->findData(chosen);
        category_->setCurrentIndex(at < 0 ? 0 : at);
    }
    int playable = 0, total = 0;
    for (const auto& [category, list] : by_category) {
        auto* branch = new QTreeWidgetItem(tree_, {category});
        branch->setData(0, kUriRole, category);
        branch->setFirstColumnSpanned(true);
        branch->setFlags(Qt::ItemIsEnabled);
        for (const PluginInfo* p : list) {
            auto* item = new QTreeWidgetItem(branch, {p->name, p->uri, ports(*p), p->whyNot});
            item->setData(0, kUriRole, p->uri);
            item->setToolTip(0, p->playable() ? p->uri : tr("Tactus cannot play it: %1").arg(p->whyNot));
            if (!p->playable()) item->setFlags(Qt::NoItemFlags);  // shown, greyed, not choosable
            playable += p->playable();
            ++total;
        }
    }
    tree_->expandAll();
    status_->setText(tr("%1 of %2 plugins can be played").arg(playable).arg(total));
    applyFilter();
}

void PluginBrowser::applyFilter() {
    const QString category = category_->currentData().toString();
    const QString text = search_->text();
    for (int b = 0; b < tree_->topLevelItemCount(); ++b) {
        QTreeWidgetItem* branch = tree_->topLevelItem(b);
        const bool in_category = category.isEmpty() || branch->data(0, kUriRole).toString() == category;
        int shown = 0;
        for (int i = 0; i < branch->childCount(); ++i) {
            QTreeWidgetItem* item = branch->child(i);
            const bool match = in_category && (item->text(0).contains(text, Qt::CaseInsensitive) ||
                                               item->text(kUriColumn).contains(text, Qt::CaseInsensitive));
            item->setHidden(!match);
            shown += match;
        }
        branch->setHidden(shown == 0);
    }
    if (tree_->currentItem() && tree_->currentItem()->isHidden()) tree_->setCurrentItem(nullptr);
}

void PluginBrowser::setCategory(const QString& category) {
    const int at = category_->findData(category);
    category_->setCurrentIndex(at < 0 ? 0 : at);
}

void PluginBrowser::setFilter(const QString& text) {
    search_->setText(text);
}

bool PluginBrowser::selectPlugin(const QString& uri) {
    for (int b = 0; b < tree_->topLevelItemCount(); ++b) {
        QTreeWidgetItem* branch = tree_->topLevelItem(b);
        for (int i = 0; i < branch->childCount(); ++i) {
            QTreeWidgetItem* item = branch->child(i);
            if (item->data(0, kUriRole).toString() != uri) continue;
            if (item->isHidden() || !(item->flags() & Qt::ItemIsSelectable)) return false;
            tree_->setCurrentItem(item);
            tree_->scrollToItem(item);
            return true;
        }
    }
    return false;
}

std::optional<QString> PluginBrowser::pick() const {
    const QTreeWidgetItem* item = tree_->currentItem();
    if (!item || !item->parent() || !(item->flags() & Qt::ItemIsSelectable)) return std::nullopt;
    return item->data(0, kUriRole).toString();
}

std::optional<QString> askForPlugin(QWidget* parent, PluginCatalog& catalog, PluginKind kind) {
    PluginBrowser browser(catalog, kind, parent);
    if (browser.exec() != QDialog::Accepted) return std::nullopt;
    return browser.pick();
}

}  // namespace tactus::gui
