#include "gui_flood/gui_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gui_flood/child_processes.h"

namespace tactus::test {

namespace {
std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
}  // namespace

GuiProcess::GuiProcess(GuiProcessOptions options) : options_(std::move(options)) {
    char pattern[] = "/tmp/tactus-gui-flood-XXXXXX";
    if (!mkdtemp(pattern)) {
        error_ = "mkdtemp failed";
        return;
    }
    home_ = pattern;
    adopt_orphans();
    stats_path_ = home_ + "/stats.json";
    log_path_ = home_ + "/gui.log";
    env_ = environment_with({{"DISPLAY", options_.display},
                             {"QT_QPA_PLATFORM", "xcb"},
                             {"HOME", home_},
                             {"XDG_CONFIG_HOME", home_ + "/config"},
                             {"XDG_DATA_HOME", home_ + "/data"},
                             {"XDG_CACHE_HOME", home_ + "/cache"},
                             {"XDG_RUNTIME_DIR", home_}});
    SpawnOptions spawn;
    spawn.argv = {options_.gui_path, options_.document,
                  "--audio",         "jack",
                  "--jack-server",   options_.jack_server,
                  "--engine",        options_.engine_path,
                  "--port",          std::to_string(options_.port),
                  "--stats-file",    stats_path_};
    spawn.argv.insert(spawn.argv.end(), options_.extra_args.begin(), options_.extra_args.end());
    spawn.env = env_;
    spawn.output_path = log_path_;
    spawn.own_process_group = true;
    spawn.death_signal = "TERM";  // a crashed test still lets the GUI shut its engine down
    pid_ = spawn_process(spawn, &error_);
}

GuiProcess::~GuiProcess() {
    terminate();
    std::error_code ignored;
    if (!home_.empty() && !std::getenv("TACTUS_KEEP_GUI_FLOOD_FILES"))
        std::filesystem::remove_all(home_, ignored);
}

std::string GuiProcess::log() const {
    return read_text(log_path_);
}

int GuiProcess::terminate() {
    if (pid_ <= 0) return exit_status_;
    const pid_t group = pid_;
    kill(pid_, SIGTERM);
    std::optional<int> status = wait_for_exit(pid_, std::chrono::seconds(10));
    if (!status) {
        kill(-group, SIGKILL);
        status = wait_for_exit(pid_, std::chrono::seconds(5));
    } else if (WIFEXITED(*status)) {
        exit_status_ = WEXITSTATUS(*status);
    }
    // The GUI asked its engine to quit (and killed it after 1.5 s); anything left goes now.
    if (!wait_for_group_gone(group, std::chrono::seconds(3))) {
        kill(-group, SIGKILL);
        wait_for_group_gone(group, std::chrono::seconds(3));
    }
    pid_ = -1;
    return exit_status_;
}

namespace {
// Every number in the object, nested ones under their own key (src/gui/session_stats.cpp).
void collect_numbers(const nlohmann::json& object, GuiStats& out) {
    for (const auto& [key, value] : object.items()) {
        if (value.is_number())
            out[key] = value.get<double>();
        else if (value.is_object())
            collect_numbers(value, out);
    }
}
}  // namespace

std::optional<GuiStats> GuiProcess::stats() const {
    const std::string text = read_text(stats_path_);
    if (text.empty()) return std::nullopt;
    const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) return std::nullopt;
    GuiStats stats;
    collect_numbers(parsed, stats);
    return stats;
}

}  // namespace tactus::test
