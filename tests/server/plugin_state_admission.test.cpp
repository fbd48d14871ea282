// The files a loaded document's plugin states name (docs/security.md, "Plugin states"): a confined
// client's document may only make a plugin read files the path policy lets that client name; a state
// that names a file outside the allowed directories, or by a relative reference, refuses the load, the
// place named. The engine's owner names what it likes.
#include "server/plugin_state_admission.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/in_process_server.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

std::string state_naming(const std::string& iri) {
    return "@prefix state: <http://lv2plug.in/ns/ext/state#> .\\n<urn:tactus:state> state:state [ "
           "<http://gareus.org/oss/lv2/zeroconvolv#ir> <" +
           iri + "> ] .\\n";
}

std::string song_with_state(const std::string& state) {
    return R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "name": "Verb", "preset": "saw",
      "inserts": [{"plugin": "http://plugin.org.uk/swh-plugins/amp"},
                  {"plugin": "http://gareus.org/oss/lv2/zeroconvolv#CfgStereo", "state": ")" +
           state + R"("}],
      "notes": []}]})";
}

class PluginStateAdmission : public InProcessServer {
protected:
    std::string document() const override { return R"({"format": "tactus", "version": 1})"; }
    fs::path root_ =
        fs::temp_directory_path() / ("tactus-state-admission-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::path music_ = root_ / "music";
    fs::path elsewhere_ = root_ / "elsewhere";

    void SetUp() override {
        InProcessServer::SetUp();
        fs::create_directories(music_);
        fs::create_directories(elsewhere_);
        std::ofstream(music_ / "hall.wav") << "RIFF";
        std::ofstream(elsewhere_ / "secret.wav") << "RIFF";
        confine_to(music_);
    }
    void TearDown() override { fs::remove_all(root_); }
    std::string load_json(const std::string& text) {
        return text_of(call(OscOut("/load/json").s(text).bytes(), a_));
    }
};

TEST_F(PluginStateAdmission, a_state_naming_a_file_outside_the_allowed_directories_refuses_the_load) {
    const std::string secret = (elsewhere_ / "secret.wav").string();
    EXPECT_EQ(
        load_json(song_with_state(state_naming("file://" + secret))),
        "/error ,ss \"/load/json\" \"/tracks/0/inserts/1/state: " + secret +
            ": refused: outside the directories this engine serves (--allow-dir; see docs/security.md)\"");
    EXPECT_TRUE(host_.document().tracks.empty());
    EXPECT_NE(load_json(song_with_state(state_naming("secret.wav"))).find("by a relative reference"),
              std::string::npos);
    EXPECT_TRUE(host_.document().tracks.empty());
}

TEST_F(PluginStateAdmission, a_state_naming_an_allowed_file_loads) {
    const std::string reply =
        load_json(song_with_state(state_naming("file://" + (music_ / "hall.wav").string())));
    EXPECT_EQ(reply.rfind("/error", 0), std::string::npos) << reply;
    ASSERT_EQ(host_.document().tracks.size(), 1u);
}

TEST(PluginStateFiles, file_iris_and_path_literals_are_found_and_other_iris_are_not) {
    const std::string state =
        "@prefix atom: <http://lv2plug.in/ns/ext/atom#> .\n"
        "<urn:tactus:state> <http://lv2plug.in/ns/ext/state#state> [\n"
        "  <http://example.org/ir> <file:///music/my%20hall.wav> ;\n"
        "  <http://example.org/sample> \"/music/kick.wav\"^^atom:Path ;\n"
        "  <http://example.org/other> \"/music/snare.wav\"^^<http://lv2plug.in/ns/ext/atom#Path> ;\n"
        "  <http://example.org/rel> <loop.wav> ] .\n";
    EXPECT_EQ(files_named_in_state(state), (std::vector<std::string>{"/music/my hall.wav", "loop.wav",
                                                                     "/music/kick.wav", "/music/snare.wav"}));
}

}  // namespace
}  // namespace tactus
