#include "gui/plugin_parameter_editor.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <utility>

#include "gui/plugin_catalog.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
QString shortNumber(double v) {
    return QString::number(v, 'g', 4);
}
bool wholeRange(const PluginControl& c) {
    return c.integer() && c.maximum - c.minimum <= 100000;
}
}  // namespace

int controlSteps(const PluginControl& c) {
    if (c.toggle()) return 1;
    if (wholeRange(c)) return std::max(1, int(std::floor(c.maximum) - std::ceil(c.minimum)));
    return PluginParameterEditor::kSliderSteps;
}

double controlValue(const PluginControl& c, int step) {
    const int steps = controlSteps(c);
    step = std::clamp(step, 0, steps);
    if (c.toggle()) return step ? c.maximum : c.minimum;
    if (wholeRange(c)) return std::min(std::ceil(c.minimum) + step, c.maximum);
    const double at = double(step) / steps;
    if (c.logarithmic()) return c.minimum * std::pow(c.maximum / c.minimum, at);
    return c.minimum + (c.maximum - c.minimum) * at;
}

int controlStep(const PluginControl& c, double value) {
    const int steps = controlSteps(c);
    if (c.maximum <= c.minimum) return 0;
    if (c.toggle()) return value > (c.minimum + c.maximum) / 2 ? 1 : 0;
    if (wholeRange(c)) return std::clamp(int(std::lround(value - std::ceil(c.minimum))), 0, steps);
    double at = (value - c.minimum) / (c.maximum - c.minimum);
    if (c.logarithmic())
        at = std::log(std::max(value, c.minimum) / c.minimum) / std::log(c.maximum / c.minimum);
    return int(std::lround(std::clamp(at, 0.0, 1.0) * steps));
}

QString controlText(const PluginControl& c, double value) {
    if (c.toggle()) return value > (c.minimum + c.maximum) / 2 ? QObject::tr("on") : QObject::tr("off");
    const QString number = c.integer() ? QString::number(std::lround(value)) : shortNumber(value);
    return c.unit.isEmpty() ? number : number + " " + c.unit;
}

PluginParameterEditor::PluginParameterEditor(SongModel& song, PluginControls& controls,
                                             PluginCatalog& catalog, PluginTarget target, QWidget* parent)
    : QWidget(parent, Qt::Window),
      song_(song),
      controls_(controls),
      target_(target),
      uri_(target.uri(song)),
      grid_(new QGridLayout),
      status_(new QLabel(this)),
      throttle_(new QTimer(this)) {
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("%1 — %2").arg(catalog.displayName(uri_), target_.describe(song_)));
    resize(460, 420);
    auto* inner = new QWidget;
    inner->setLayout(grid_);
    grid_->setColumnStretch(1, 1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    status_->setWordWrap(true);
    status_->setText(uri_);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(status_);
    layout->addWidget(scroll, 1);

    throttle_->setSingleShot(true);
    throttle_->setInterval(kIntervalMs);
    connect(throttle_, &QTimer::timeout, this, &PluginParameterEditor::sendMoved);
    connect(&controls_, &PluginControls::answered, this, [this](const QString& uri) {
        if (uri == uri_ && !built_) build();
    });
    connect(&song_, &SongModel::documentChanged, this, &PluginParameterEditor::documentChanged);
    controls_.request(uri_);
    build();
}

void PluginParameterEditor::build() {
    const PluginControlList* list = controls_.controls(uri_);
    if (!list || !list->answered) {
        status_->setText(list ? tr("Asking the engine for the plugin's controls…")
                              : tr("Not connected to the engine: the plugin's controls cannot be listed."));
        return;
    }
    if (!list->error.isEmpty()) {
        status_->setText(tr("The engine cannot make this plugin: %1").arg(list->error));
        return;
    }
    built_ = true;
    status_->setText(list->controls.empty()
                         ? tr("%1: no controls").arg(uri_)
                         : tr("%1: %n control(s)", nullptr, int(list->controls.size())).arg(uri_));
    int r = 0;
    for (const PluginControl& c : list->controls) {
        const QString symbol = QString::fromStdString(c.symbol);
        auto* name = new QLabel(c.name.isEmpty() ? symbol : c.name);
        name->setToolTip(tr("%1: %2 to %3, default %4")
                             .arg(symbol, controlText(c, c.minimum), controlText(c, c.maximum),
                                  controlText(c, c.defaultValue)));
        Row row{c, nullptr, new QLabel};
        row.value->setMinimumWidth(70);
        if (c.toggle()) {
            auto* box = new QCheckBox;
            connect(box, &QCheckBox::toggled, this, [this, s = c.symbol](bool on) {
                const Row& shown = rows_.at(s);
                shown.value->setText(controlText(shown.port, controlValue(shown.port, on ? 1 : 0)));
                moved(s, controlValue(shown.port, on ? 1 : 0));
            });
            row.control = box;
        } else {
            auto* slider = new QSlider(Qt::Horizontal);
            slider->setRange(0, controlSteps(c));
            slider->setPageStep(std::max(1, controlSteps(c) / 10));
            connect(slider, &QSlider::valueChanged, this, [this, s = c.symbol](int step) {
                const Row& shown = rows_.at(s);
                const double v = controlValue(shown.port, step);
                shown.value->setText(controlText(shown.port, v));
                moved(s, v);
            });
            row.control = slider;
        }
        row.control->setObjectName(symbol);
        row.control->setToolTip(name->toolTip());
        grid_->addWidget(name, r, 0);
        grid_->addWidget(row.control, r, 1);
        grid_->addWidget(row.value, r, 2);
        rows_[c.symbol] = row;
        ++r;
    }
    grid_->setRowStretch(r, 1);
    refresh();
}

void PluginParameterEditor::showValue(Row& row, double value) {
    if (auto* box = qobject_cast<QCheckBox*>(row.control)) {
        const QSignalBlocker block(box);
        box->setChecked(controlStep(row.port, value) != 0);
    } else if (auto* slider = qobject_cast<QSlider*>(row.control)) {
        const QSignalBlocker block(slider);
        slider->setValue(controlStep(row.port, value));
    }
    row.value->setText(controlText(row.port, value));
}

void PluginParameterEditor::refresh() {
    const std::map<std::string, double>* values = target_.values(song_);
    for (auto& [symbol, row] : rows_) {
        if (unsent_.count(symbol)) continue;  // the user's newest value is on its way
        double value = row.port.defaultValue;
        if (values)
            if (const auto it = values->find(symbol); it != values->end()) value = it->second;
        showValue(row, value);
    }
}

void PluginParameterEditor::documentChanged() {
    if (target_.uri(song_) != uri_) {  // the plugin is no longer there: nothing left to edit
        close();
        return;
    }
    refresh();
}

// A drag makes many values: the first goes at once, then the newest every kIntervalMs.
void PluginParameterEditor::moved(const std::string& symbol, double value) {
    unsent_[symbol] = value;
    if (!throttle_->isActive()) {
        sendMoved();
        throttle_->start();
    }
}

void PluginParameterEditor::sendMoved() {
    if (target_.uri(song_) != uri_) return unsent_.clear();
    for (const auto& [symbol, value] : std::exchange(unsent_, {})) target_.set(song_, symbol, value);
}

QWidget* PluginParameterEditor::control(const QString& symbol) const {
    const auto it = rows_.find(symbol.toStdString());
    return it == rows_.end() ? nullptr : it->second.control;
}

QLabel* PluginParameterEditor::valueLabel(const QString& symbol) const {
    const auto it = rows_.find(symbol.toStdString());
    return it == rows_.end() ? nullptr : it->second.value;
}

const PluginControl* PluginParameterEditor::port(const QString& symbol) const {
    const auto it = rows_.find(symbol.toStdString());
    return it == rows_.end() ? nullptr : &it->second.port;
}

void PluginParameterEditor::closeEvent(QCloseEvent* event) {
    sendMoved();
    emit closedForGood();
    QWidget::closeEvent(event);
}

PluginParameterEditor* openPluginEditor(SongModel& song, PluginControls& controls, PluginCatalog& catalog,
                                        const PluginTarget& target, QWidget* near) {
    QWidget* top = near ? near->window() : nullptr;
    const QString uri = target.uri(song);
    if (uri.isEmpty()) return nullptr;
    if (top)
        for (auto* open : top->findChildren<PluginParameterEditor*>())
            if (open->target().instrument == target.instrument && open->target().chain == target.chain &&
                open->target().insert == target.insert && open->uri() == uri) {
                open->raise();
                open->activateWindow();
                return open;
            }
    auto* editor = new PluginParameterEditor(song, controls, catalog, target, top);
    editor->show();
    return editor;
}

}  // namespace tactus::gui
