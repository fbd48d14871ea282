// /plugins and /plugin/controls: a client's plugin browser and generic editor read the installed LV2
// plugins (Debian's mda-lv2 among them) through the protocol; a category keeps its own, and an unknown
// URI is an error that names it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/in_process_server.h"

namespace tactus {
namespace {

class PluginQueries : public InProcessServer {
protected:
    std::string document() const override { return R"({"format": "tactus", "version": 1})"; }
};

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST_F(PluginQueries, plugins_lists_each_installed_plugin_and_a_category_keeps_its_own) {
    send(OscOut("/plugins").bytes(), a_);
    const auto all = answers(a_);
    ASSERT_GT(all.size(), 10u);
    EXPECT_TRUE(has(all,
                    "/plugin ,sssiiis \"http://drobilla.net/plugins/mda/EPiano\" \"MDA ePiano\" "
                    "\"Instrument\" 0 2 1 \"\""))
        << all[0];
    EXPECT_TRUE(
        has(all,
            "/plugin ,sssiiis \"http://drobilla.net/plugins/mda/Delay\" \"MDA Delay\" \"Delay\" 2 2 0 \"\""));
    EXPECT_EQ(all.back(), "/reply ,ssi \"/plugins\" \"\" " + std::to_string(all.size() - 1));

    send(OscOut("/plugins").s("Instrument").bytes(), a_);
    const auto instruments = answers(a_);
    EXPECT_TRUE(has(instruments,
                    "/plugin ,sssiiis \"http://drobilla.net/plugins/mda/JX10\" \"MDA JX10\" "
                    "\"Instrument\" 0 2 1 \"\""));
    for (std::size_t i = 0; i + 1 < instruments.size(); ++i)
        EXPECT_NE(instruments[i].find("\"Instrument\""), std::string::npos) << instruments[i];
}

TEST_F(PluginQueries, plugin_controls_lists_a_plugins_controls_and_names_an_unknown_uri) {
    send(OscOut("/plugin/controls").s("http://drobilla.net/plugins/mda/EPiano").bytes(), a_);
    const auto controls = answers(a_);
    ASSERT_EQ(controls.size(), 13u);
    EXPECT_EQ(controls[0],
              "/plugin/control ,ssfffsi \"env_decay\" \"Envelope Decay\" 0.000000 1.000000 0.500000 \"\" 0");
    EXPECT_EQ(controls[8],
              "/plugin/control ,ssfffsi \"polyphonic\" \"Polyphonic\" 0.000000 1.000000 1.000000 \"\" 1");
    EXPECT_EQ(controls[12], "/reply ,ssi \"/plugin/controls\" \"http://drobilla.net/plugins/mda/EPiano\" 12");

    send(OscOut("/plugin/controls").s("http://example.org/none").bytes(), a_);
    const auto error = answers(a_);
    ASSERT_EQ(error.size(), 1u);
    EXPECT_NE(error[0].find("<http://example.org/none> is not installed"), std::string::npos) << error[0];
}

}  // namespace
}  // namespace tactus
