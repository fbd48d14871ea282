#include "gui/insert_slots.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include "gui/plugin_catalog.h"
#include "gui/plugin_services.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
QToolButton* smallButton(const QString& text, const QString& tip, const QString& name, QWidget* parent) {
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setObjectName(name);
    b->setAutoRaise(true);
    return b;
}
}  // namespace

InsertSlots::InsertSlots(SongModel& song, PluginServices& plugins, ChainRef chain, QWidget* parent)
    : QWidget(parent),
      song_(song),
      plugins_(plugins),
      chain_(chain),
      slots_(new QVBoxLayout),
      add_(smallButton(tr("+"), tr("Add an insert effect"), QStringLiteral("addInsert"), this)) {
    auto* head = new QHBoxLayout;
    head->setContentsMargins(0, 0, 0, 0);
    head->addWidget(new QLabel(tr("Inserts"), this));
    head->addStretch(1);
    head->addWidget(add_);
    slots_->setContentsMargins(0, 0, 0, 0);
    slots_->setSpacing(0);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(head);
    layout->addLayout(slots_);
    connect(add_, &QToolButton::clicked, this, [this] { chooseAndAdd(); });
    connect(&song_, &SongModel::documentChanged, this, &InsertSlots::refresh);
    // The names come with the engine's plugin list.
    connect(&plugins_.catalog(), &PluginCatalog::listed, this, [this] {
        shown_.clear();  // rebuilt with the names
        refresh();
    });
    refresh();
}

const std::vector<Insert>* InsertSlots::inserts() const {
    return song_.inserts(chain_.owner, chain_.id);
}

QWidget* InsertSlots::slotWidget(int index) const {
    return index >= 0 && index < int(slot_widgets_.size()) ? slot_widgets_[std::size_t(index)] : nullptr;
}

// Rebuilt when the chain's plugins or bypass switches differ from those shown (a control moved does not
// rebuild it).
void InsertSlots::refresh() {
    const std::vector<Insert>* chain = inserts();
    const std::vector<Insert> now = chain ? *chain : std::vector<Insert>{};
    const bool same =
        now.size() == shown_.size() && slot_widgets_.size() == now.size() &&
        std::equal(now.begin(), now.end(), shown_.begin(), [](const Insert& a, const Insert& b) {
            return a.plugin == b.plugin && a.bypass == b.bypass;
        });
    shown_ = now;
    if (same) return;
    for (QWidget* w : slot_widgets_) delete w;
    slot_widgets_.clear();
    for (std::size_t i = 0; i < now.size(); ++i) {
        const Insert& insert = now[i];
        const int index = int(i);
        auto* row = new QWidget(this);
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        h->setSpacing(1);
        auto* bypass = smallButton(tr("B"), tr("Bypass: the insert passes its input through"),
                                   QStringLiteral("bypass"), row);
        bypass->setCheckable(true);
        bypass->setChecked(insert.bypass);
        const QString uri = QString::fromStdString(insert.plugin);
        auto* name = smallButton(plugins_.catalog().displayName(uri),
                                 tr("%1\nClick to edit its controls").arg(uri), QStringLiteral("edit"), row);
        name->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        name->setToolButtonStyle(Qt::ToolButtonTextOnly);
        QFont font = name->font();
        font.setStrikeOut(insert.bypass);
        name->setFont(font);
        auto* up = smallButton(tr("▲"), tr("Earlier in the chain"), QStringLiteral("up"), row);
        auto* down = smallButton(tr("▼"), tr("Later in the chain"), QStringLiteral("down"), row);
        auto* remove = smallButton(tr("✕"), tr("Remove this insert"), QStringLiteral("remove"), row);
        up->setEnabled(i > 0);
        down->setEnabled(i + 1 < now.size());
        h->addWidget(bypass);
        h->addWidget(name, 1);
        h->addWidget(up);
        h->addWidget(down);
        h->addWidget(remove);
        // Queued: a command rebuilds the slots, deleting the button that was clicked.
        connect(
            bypass, &QToolButton::toggled, this, [this, index](bool on) { setBypass(index, on); },
            Qt::QueuedConnection);
        connect(name, &QToolButton::clicked, this, [this, index] { edit(index); });
        connect(
            up, &QToolButton::clicked, this, [this, index] { move(index, -1); }, Qt::QueuedConnection);
        connect(
            down, &QToolButton::clicked, this, [this, index] { move(index, +1); }, Qt::QueuedConnection);
        connect(
            remove, &QToolButton::clicked, this, [this, index] { this->remove(index); },
            Qt::QueuedConnection);
        slots_->addWidget(row);
        slot_widgets_.push_back(row);
    }
}

bool InsertSlots::replace(std::vector<Insert> chain, const QString& description) {
    if (!song_.apply({replaceChain(chain_, std::move(chain))}, description)) {
        shown_.clear();  // rebuilt: a switch the user flipped goes back
        refresh();
        return false;
    }
    return true;
}

bool InsertSlots::chooseAndAdd() {
    const std::optional<QString> uri = plugins_.choose(this, PluginKind::Effect);
    return uri && add(*uri);
}

bool InsertSlots::add(const QString& uri) {
    const std::vector<Insert>* chain = inserts();
    if (!chain || uri.isEmpty()) return false;
    return replace(withInsert(*chain, uri.toStdString()),
                   tr("Add insert %1").arg(plugins_.catalog().displayName(uri)));
}

bool InsertSlots::remove(int index) {
    const std::vector<Insert>* chain = inserts();
    if (!chain || index < 0) return false;
    auto changed = withoutInsert(*chain, std::size_t(index));
    return changed && replace(std::move(*changed), tr("Remove insert"));
}

bool InsertSlots::move(int index, int delta) {
    const std::vector<Insert>* chain = inserts();
    if (!chain || index < 0 || index + delta < 0) return false;
    auto changed = withInsertMoved(*chain, std::size_t(index), std::size_t(index + delta));
    return changed && replace(std::move(*changed), tr("Move insert"));
}

bool InsertSlots::setBypass(int index, bool bypass) {
    const std::vector<Insert>* chain = inserts();
    if (!chain || index < 0) return false;
    auto changed = withBypass(*chain, std::size_t(index), bypass);
    return changed && replace(std::move(*changed), bypass ? tr("Bypass insert") : tr("Enable insert"));
}

PluginParameterEditor* InsertSlots::edit(int index) {
    if (index < 0 || index >= count()) return nullptr;
    return plugins_.edit(PluginTarget::insertOf(chain_, std::size_t(index)), this);
}

}  // namespace tactus::gui
