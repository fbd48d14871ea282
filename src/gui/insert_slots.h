// An insert chain on a strip (a track's, a bus's or the master's): one slot per insert in signal order,
// each with a bypass switch ("B"), its plugin's name (click: its parameter editor), move up, move down and
// remove; "+" adds an effect chosen in the plugin browser at the end. Each command is one undoable edit
// that sends the whole chain (insert_chain.h).
//
// Threading: the UI thread.
#pragma once

#include <QWidget>
#include <vector>

#include "core/score.h"
#include "gui/insert_chain.h"

class QLabel;
class QToolButton;
class QVBoxLayout;

namespace tactus::gui {

class PluginParameterEditor;
class PluginServices;
class SongModel;

class InsertSlots : public QWidget {
    Q_OBJECT
public:
    InsertSlots(SongModel& song, PluginServices& plugins, ChainRef chain, QWidget* parent = nullptr);

    const ChainRef& chain() const { return chain_; }
    int count() const { return int(shown_.size()); }
    // The slot of insert `index`: its buttons are named "bypass", "edit", "up", "down" and "remove".
    QWidget* slotWidget(int index) const;
    QToolButton* addButton() const { return add_; }

    // The commands (each one undoable edit); false when nothing changed.
    bool chooseAndAdd();  // asks for an effect (PluginServices::choose)
    bool add(const QString& uri);
    bool remove(int index);
    bool move(int index, int delta);
    bool setBypass(int index, bool bypass);
    PluginParameterEditor* edit(int index);

    // Shows the document's chain (the slots are rebuilt only when it differs from the one shown).
    void refresh();

private:
    const std::vector<Insert>* inserts() const;
    bool replace(std::vector<Insert> chain, const QString& description);

    SongModel& song_;
    PluginServices& plugins_;
    ChainRef chain_;
    QVBoxLayout* slots_;
    QToolButton* add_;
    std::vector<Insert> shown_;
    std::vector<QWidget*> slot_widgets_;
};

}  // namespace tactus::gui
