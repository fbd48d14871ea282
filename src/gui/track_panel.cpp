#include "gui/track_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "gui/bus_panel.h"
#include "gui/engine_link.h"
#include "gui/level_meter.h"
#include "gui/master_strip.h"
#include "gui/plugin_services.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui/soundfont_presets.h"
#include "gui/track_parameters.h"
#include "gui/track_strip.h"
#include "server/osc_out.h"

namespace tactus::gui {

TrackPanel::TrackPanel(SongModel& song, EngineLink& link, RollState& state, QWidget* parent)
    : QWidget(parent),
      song_(song),
      link_(link),
      state_(state),
      parameters_(new TrackParameters(song, link, this)),
      fonts_(new SoundFontPresets(link, this)),
      plugins_(new PluginServices(song, link, this)),
      chooser_([](QWidget* asker) { return askForCsound(asker, QString()); }),
      font_chooser_(askForSoundFont),
      strip_layout_(new QVBoxLayout),
      buses_(nullptr),
      master_(new MasterStrip(song, link, *plugins_, this)) {
    setMinimumWidth(260);
    auto* strips = new QWidget(this);
    auto* content = new QVBoxLayout(strips);
    content->setContentsMargins(2, 2, 2, 2);
    content->setSpacing(2);
    strip_layout_->setContentsMargins(0, 0, 0, 0);
    strip_layout_->setSpacing(2);
    buses_ = new BusPanel(song, *plugins_, strips);
    content->addLayout(strip_layout_);
    content->addWidget(buses_);
    content->addStretch(1);
    scroll_ = new QScrollArea(this);
    scroll_->setWidget(strips);
    scroll_->setWidgetResizable(true);
    // Strips scroll up and down only; the panel is kept as wide as a strip needs (rebuild), since a
    // strip cut at its left edge hid the names and faders.
    scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto* add = new QPushButton(tr("Add track"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    connect(add, &QPushButton::clicked, this, &TrackPanel::addTrack);
    connect(remove, &QPushButton::clicked, this, &TrackPanel::removeCurrentTrack);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll_, 1);
    layout->addLayout(buttons);
    layout->addWidget(master_);

    connect(&song_, &SongModel::tracksChanged, this, &TrackPanel::rebuild);
    connect(&song_, &SongModel::tracksChanged, this, &TrackPanel::requestFonts);
    connect(&song_, &SongModel::engineLoaded, this, &TrackPanel::requestFonts);
    connect(fonts_, &SoundFontPresets::fontAnswered, this, [this] {
        for (TrackStrip* s : strips_) s->refresh();
    });
    connect(&song_, &SongModel::mixerChanged, this, [this](TrackId id) {
        for (TrackStrip* s : strips_)
            if (s->trackId() == id) s->refresh();
    });
    connect(&song_, &SongModel::parameterChanged, this,
            [this](TrackId id, const QString& name, double value) {
                for (TrackStrip* s : strips_)
                    if (s->trackId() == id) s->showParameter(name, value);
            });
    connect(&state_, &RollState::changed, this, [this] {
        for (TrackStrip* s : strips_) s->setCurrent(s->trackId() == state_.currentTrack());
    });
    // The edited track's strip in view (a track just added sits at the bottom of the list), once the
    // layout has placed it.
    connect(&state_, &RollState::trackChanged, this, [this] {
        QTimer::singleShot(0, this, [this] {
            for (TrackStrip* s : strips_)
                if (s->trackId() == state_.currentTrack())
                    scroll_->ensureVisible(0, s->y() + s->height() / 2, 0,
                                           s->height() / 2 + 4);  // vertically
        });
    });
    rebuild();
}

void TrackPanel::setInstruments(const QStringList& instruments) {
    instruments_ = instruments;
    rebuild();
}

void TrackPanel::rebuild() {
    for (TrackStrip* s : strips_) {  // out of the layout now; deleted once their signals are done
        strip_layout_->removeWidget(s);
        s->hide();
        s->deleteLater();
    }
    strips_.clear();
    const Document& doc = song_.document();
    for (const Track& t : doc.tracks) {
        auto* strip = new TrackStrip(song_, *parameters_, *fonts_, *plugins_, t.id, instruments_, chooser_,
                                     font_chooser_, this);
        // Never squeezed: many tracks make the list scroll rather than shrink every strip to nothing.
        strip->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        strip_layout_->addWidget(strip);
        connect(strip, &TrackStrip::selected, this, &TrackPanel::select);
        strips_.push_back(strip);
    }
    // Keep editing a track that still exists; otherwise the first one.
    if (!song_.track(state_.currentTrack()))
        state_.setCurrentTrack(doc.tracks.empty() ? 0 : doc.tracks.front().id);
    for (TrackStrip* s : strips_) s->setCurrent(s->trackId() == state_.currentTrack());
    int widest = buses_->minimumSizeHint().width();
    for (TrackStrip* s : strips_) widest = std::max(widest, s->minimumSizeHint().width());
    scroll_->setMinimumWidth(widest + 4 + scroll_->verticalScrollBar()->sizeHint().width() +
                             2 * scroll_->frameWidth());
}

void TrackPanel::select(TrackId id) {
    state_.setCurrentTrack(id);
}

void TrackPanel::setCsoundChooser(CsoundChooser chooser) {
    chooser_ = std::move(chooser);
    rebuild();
}

void TrackPanel::setSoundFontChooser(SoundFontChooser chooser) {
    font_chooser_ = std::move(chooser);
    rebuild();
}

void TrackPanel::requestFonts() {
    for (const Track& t : song_.document().tracks)
        if (t.instrument == "soundfont") fonts_->request(QString::fromStdString(t.soundfont));
}

void TrackPanel::resendMaster() {
    master_->resendLevel();
}

LevelMeter* TrackPanel::masterMeter() const {
    return master_->meter();
}

void TrackPanel::setPluginChooser(PluginChooser chooser) {
    plugins_->setChooser(std::move(chooser));
}

void TrackPanel::showPeaks(const PositionReport& report, double elapsed_seconds) {
    master_->meter()->setPeak(std::max(report.peak_left, report.peak_right), elapsed_seconds);
    for (std::size_t i = 0; i < strips_.size(); ++i)
        strips_[i]->meter()->setPeak(i < report.track_peaks.size() ? report.track_peaks[i] : 0.0f,
                                     elapsed_seconds);
}

void TrackPanel::addTrack() {
    Track t;
    t.id = song_.newTrackId();
    t.name = tr("Track %1").arg(t.id).toStdString();
    t.instrument = "synth";
    t.preset = "pluck";
    if (song_.apply({edit::TrackAdd{t, song_.document().tracks.size()}}, tr("Add track")))
        state_.setCurrentTrack(t.id);
}

void TrackPanel::removeCurrentTrack() {
    if (song_.track(state_.currentTrack()))
        song_.apply({edit::TrackRemove{state_.currentTrack()}}, tr("Remove track"));
}

}  // namespace tactus::gui
