// Choosing an installed LV2 plugin: an instrument for a track, or an effect for an insert slot. The
// plugins are the engine's (/plugins, PluginCatalog), grouped by category, narrowed by a category menu
// and a text filter (name or URI), each with its name, URI and ports. A plugin Tactus cannot play (the
// engine's why_not) is listed disabled, with the reason.
//
// Threading: the UI thread.
#pragma once

#include <QDialog>
#include <QString>
#include <functional>
#include <optional>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace tactus::gui {

class PluginCatalog;
struct PluginInfo;

enum class PluginKind { Instrument, Effect };

class PluginBrowser : public QDialog {
    Q_OBJECT
public:
    PluginBrowser(PluginCatalog& catalog, PluginKind kind, QWidget* parent = nullptr);

    // Narrows the list to a category ("" for all) and to names or URIs containing `text`.
    void setCategory(const QString& category);
    void setFilter(const QString& text);
    // Selects the plugin with that URI; false when it is not listed, hidden or cannot be played.
    bool selectPlugin(const QString& uri);
    // The selected plugin's URI, or nullopt.
    std::optional<QString> pick() const;
    QTreeWidget* pluginTree() const { return tree_; }
    QComboBox* categoryBox() const { return category_; }
    QLabel* statusLabel() const { return status_; }
    static constexpr int kUriColumn = 1;

private:
    void fill();
    void applyFilter();
    bool fits(const PluginInfo& p) const;

    PluginCatalog& catalog_;
    PluginKind kind_;
    QComboBox* category_;
    QLineEdit* search_;
    QTreeWidget* tree_;
    QLabel* status_;
    QDialogButtonBox* buttons_;
};

// Asks the user with a PluginBrowser; nullopt when cancelled.
std::optional<QString> askForPlugin(QWidget* parent, PluginCatalog& catalog, PluginKind kind);

// How a strip asks for a plugin (tests drive the dialog themselves).
using PluginChooser =
    std::function<std::optional<QString>(QWidget* parent, PluginCatalog& catalog, PluginKind kind)>;

}  // namespace tactus::gui
