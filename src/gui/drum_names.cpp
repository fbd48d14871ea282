#include "gui/drum_names.h"

#include <QCoreApplication>

namespace tactus::gui {

namespace {
constexpr int kFirst = 27;
constexpr const char* kNames[] = {"High Q",          "Slap",           "Scratch Push",
                                  "Scratch Pull",    "Sticks",         "Square Click",
                                  "Metronome Click", "Metronome Bell", "Acoustic Bass Drum",
                                  "Bass Drum 1",     "Side Stick",     "Acoustic Snare",
                                  "Hand Clap",       "Electric Snare", "Low Floor Tom",
                                  "Closed Hi-Hat",   "High Floor Tom", "Pedal Hi-Hat",
                                  "Low Tom",         "Open Hi-Hat",    "Low-Mid Tom",
                                  "Hi-Mid Tom",      "Crash Cymbal 1", "High Tom",
                                  "Ride Cymbal 1",   "Chinese Cymbal", "Ride Bell",
                                  "Tambourine",      "Splash Cymbal",  "Cowbell",
                                  "Crash Cymbal 2",  "Vibraslap",      "Ride Cymbal 2",
                                  "Hi Bongo",        "Low Bongo",      "Mute Hi Conga",
                                  "Open Hi Conga",   "Low Conga",      "High Timbale",
                                  "Low Timbale",     "High Agogo",     "Low Agogo",
                                  "Cabasa",          "Maracas",        "Short Whistle",
                                  "Long Whistle",    "Short Guiro",    "Long Guiro",
                                  "Claves",          "Hi Wood Block",  "Low Wood Block",
                                  "Mute Cuica",      "Open Cuica",     "Mute Triangle",
                                  "Open Triangle",   "Shaker",         "Jingle Bell",
                                  "Belltree",        "Castanets",      "Mute Surdo",
                                  "Open Surdo"};
constexpr int kCount = int(sizeof kNames / sizeof kNames[0]);
static_assert(kFirst + kCount - 1 == 87, "GM2 names keys 27 to 87");
}  // namespace

QString generalMidiDrumName(int pitch) {
    if (pitch < kFirst || pitch >= kFirst + kCount) return {};
    return QCoreApplication::translate("DrumNames", kNames[pitch - kFirst]);
}

}  // namespace tactus::gui
