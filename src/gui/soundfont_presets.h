// The presets of the SoundFonts the GUI shows, as the engine lists them (/soundfont/presets: one
// /soundfont/preset bank, program, name each, then /reply with the font's resolved path): the GUI never
// reads a font file itself. Each font is asked once per connection and kept; the track strips name a
// soundfont track's preset from here, and the SoundFont dialog lists a font's presets from here.
//
// Threading: the UI thread.
#pragma once

#include <QObject>
#include <QString>
#include <deque>
#include <map>
#include <vector>

#include "server/osc_message.h"

namespace tactus::gui {

class EngineLink;

struct SoundFontPreset {
    int bank = 0;
    int program = 0;
    QString name;
};

// One font's answer. `font` as the document names it ("" for the default General MIDI font).
struct FontPresets {
    bool answered = false;                 // false while the engine has not answered yet
    QString resolved;                      // the path the engine read
    QString error;                         // the engine's error (the font cannot be read or may not be read)
    std::vector<SoundFontPreset> presets;  // in bank and program order
    const SoundFontPreset* find(int bank, int program) const;
};

class SoundFontPresets : public QObject {
    Q_OBJECT
public:
    explicit SoundFontPresets(EngineLink& link, QObject* parent = nullptr);

    // Asks the engine for `font`'s presets unless they are known or asked already (and the engine
    // is connected); fontAnswered() follows.
    void request(const QString& font);
    // What is known of `font` (nullptr: never asked, or asked on a connection that dropped).
    const FontPresets* presets(const QString& font) const;
    // The name of the preset a track plays ("" while unknown): a drum track plays the percussion
    // bank 128 whatever its bank, and FluidSynth's fallback (bank 0, or drum kit 0) when its preset is
    // missing, as the engine does.
    QString presetName(const QString& font, int bank, int program, bool drums) const;

    // Routes a packet from the engine (EngineLink::packetReceived).
    void onPacket(const OscPacket& packet);

signals:
    void fontAnswered(const QString& font);

private:
    EngineLink& link_;
    std::map<QString, FontPresets> fonts_;
    std::deque<QString> asked_;  // fonts asked, in order: the engine answers in order on the stream
};

// The preset label a soundfont track's document holds: "BANK:PROGRAM", as the engine makes it from
// /track/soundfont (the name is the GUI's to show, from the font).
std::string soundFontPresetLabel(int bank, int program);

}  // namespace tactus::gui
