// The Csound orchestra policy (docs/security.md, "Csound orchestras"): an orchestra from a document runs
// only if it makes sound and nothing else, unless the engine's owner allowed more. Each refusal names
// the file, the line of the file and what the opcode would do; a refused orchestra runs nothing, not
// even its global code; the owner's permissions let the same orchestras run.
#include "engine/csound/csound_orchestra_policy.h"

#include <csound/csound.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "engine/csound/csound_known_opcodes.h"
#include "engine/csound/csound_orchestra.h"

namespace {

using namespace tactus;

class CsoundOrchestraPolicyTest : public ::testing::Test {
protected:
    std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                                 ("tactus-csound-policy-" + std::to_string(::getpid()) + "-" +
                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());

    void SetUp() override { std::filesystem::create_directories(dir_); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        const std::string path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }

    // The error of loading `text` as `name`, "" when it loads.
    std::string load_error(const std::string& name, const std::string& text,
                           const CsoundPermissions& permissions = {}) {
        std::string error;
        const std::string path = write(name, text);
        const auto orchestra = CsoundOrchestra::load(path, 48000, &error, permissions);
        if (orchestra) return "";
        EXPECT_FALSE(error.empty());
        return error;
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }
};

constexpr const char* kHeader = "sr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n";

constexpr const char* kPrograms =
    "runs programs or native code, or compiles code this check cannot see; the engine's owner has not "
    "allowed orchestras to run programs";
constexpr const char* kFiles = "the engine's owner has not allowed orchestras to use files";

TEST_F(CsoundOrchestraPolicyTest, an_orchestra_that_only_makes_sound_loads) {
    const std::string orchestra = std::string(kHeader) + R"(
giSine ftgen 0, 0, 8192, 10, 1
giCurve ftgen 0, 0, 1024, -7, 0, 512, 1, 512, 0
giSat ftgen 0, 0, 1024, "tanh", -5, 5, 0
chn_k "cutoff", 1, 2, 1000, 20, 20000
opcode Tone, a, kk
  kamp, kcps xin
  xout oscili(kamp, kcps, giSine)
endop
instr 1
  kcut chnget "cutoff"
  kArr[] fillarray 1, 2
  kSin[] maparray kArr, "sin"
  a1 Tone 0.1, cpsmidinn(p4)
  a2 moogladder a1, kcut, 0.3
  event_i "i", 2, 0, 0.1
  event_i "f", 99, 0, 1024, 10, 1
  schedule 2, 0.5, 0.1
  outs a2, a2
endin
instr 2
  aenv linseg 0, p3, 0.1
  outs aenv, aenv
endin
)";
    EXPECT_EQ(load_error("clean.orc", orchestra), "");
}

TEST_F(CsoundOrchestraPolicyTest, a_program_is_refused_at_its_line_and_nothing_of_the_orchestra_runs) {
    // Global code runs at start: a refused orchestra must never get there.
    const std::string marker = path("ran");
    const std::string orchestra = std::string(kHeader) + "gi1 system_i 1, \"touch " + marker + "\"\n" +
                                  "instr 1\n  out a(0), a(0)\nendin\n";
    EXPECT_EQ(load_error("song.orc", orchestra), path("song.orc") + ":5: opcode 'system_i' " + kPrograms);
    EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(CsoundOrchestraPolicyTest, each_kind_of_reach_is_refused_with_what_it_does_and_its_line) {
    struct Case {
        std::string body;  // lines 6 and on of the file
        std::string expected;
    };
    const Case cases[] = {
        {"instr 1\n  a1, a2 diskin2 \"song.wav\", 1\n  outs a1, a2\nendin\n",
         ":7: opcode 'diskin2' reads or writes files; " + std::string(kFiles)},
        {"instr 1\n  a1 = 0\n  fout \"/tmp/x.wav\", 14, a1\nendin\n",
         ":8: opcode 'fout' reads or writes files; " + std::string(kFiles)},
        {"instr 1\n  OSCsend 0, \"example.com\", 9999, \"/x\", \"f\", 1\nendin\n",
         ":7: opcode 'OSCsend' talks to the network; the engine's owner has not allowed orchestras to use "
         "the network"},
        {"instr 1\n  kkey, kdown sensekey\nendin\n",
         ":7: opcode 'sensekey' opens devices of the engine's machine; the engine's owner has not allowed "
         "orchestras to open devices"},
        {"instr 1\n  exitnow\nendin\n",
         ":7: opcode 'exitnow' would end the engine's process; no orchestra may use it"},
        {"instr 1\n  i1 compilestr \"instr 2\\n endin\\n\"\nendin\n",
         ":7: opcode 'compilestr' " + std::string(kPrograms)},
        {"giSample ftgen 0, 0, 0, 1, \"piano.wav\", 0, 0, 0\n",
         ":6: opcode 'ftgen' with GEN01 reads a file; " + std::string(kFiles)},
        {"giNumbers ftgen 0, 0, 0, -23, \"numbers.txt\"\n",
         ":6: opcode 'ftgen' with GEN23 reads a file; " + std::string(kFiles)},
        {"giGen = 1\ngiTable ftgen 0, 0, 0, giGen, \"piano.wav\", 0, 0, 0\n",
         ":7: opcode 'ftgen' has a GEN routine that is not a constant, and some GEN routines read files; " +
             std::string(kFiles)},
        {"instr 1\n  event_i \"f\", 9, 0, 0, 1, 1, 0, 0, 0\nendin\n",
         ":7: opcode 'event_i' with an \"f\" statement with GEN01 reads a file; " + std::string(kFiles)},
        {"instr 1\n  Sstatement = \"f\"\n  event_i Sstatement, 9, 0, 1024, 10, 1\nendin\n",
         ":8: opcode 'event_i' has a statement letter that is not a constant, and an \"f\" statement can "
         "build "
         "a table from a file; " +
             std::string(kFiles)},
        {"instr 1\n  scoreline_i {{f 1 0 0 1 \"piano.wav\" 0 0 0}}\nendin\n",
         ":7: opcode 'scoreline_i' reads or writes files; " + std::string(kFiles)},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.body);
        EXPECT_EQ(load_error("song.orc", std::string(kHeader) + "\n" + c.body),
                  path("song.orc") + c.expected);
    }
}

TEST_F(CsoundOrchestraPolicyTest, calls_inside_user_defined_opcodes_expressions_and_macros_are_found) {
    // A UDO's body, a call nested in a two-line expression (which Csound numbers one line off) and a
    // name a macro makes: each is refused at the line of the file it is written on (for the macro,
    // the #define that writes it, which is where Csound puts it too).
    const std::string udo = std::string(kHeader) +
                            "opcode Shell, i, S\n  Scmd xin\n  xout system_i(1, Scmd)\nendop\n"
                            "instr 1\n  i1 Shell \"true\"\nendin\n";
    EXPECT_EQ(load_error("udo.orc", udo), path("udo.orc") + ":7: opcode 'system_i' " + kPrograms);

    const std::string expression = std::string(kHeader) +
                                   "instr 1\n  k1 = oscili:k(1,\n"
                                   "     2 + filelen(\"x.wav\"))\nendin\n";
    EXPECT_EQ(load_error("expression.orc", expression),
              path("expression.orc") + ":7: opcode 'filelen' reads or writes files; " + kFiles);

    const std::string macro =
        std::string(kHeader) + "#define RUN #system_i#\ninstr 1\n  i1 $RUN 1, \"true\"\nendin\n";
    EXPECT_EQ(load_error("macro.orc", macro), path("macro.orc") + ":5: opcode 'system_i' " + kPrograms);
}

TEST_F(CsoundOrchestraPolicyTest, a_csd_names_the_line_of_the_csd) {
    const std::string csd = std::string("<CsoundSynthesizer>\n<CsOptions>\n</CsOptions>\n<CsInstruments>\n") +
                            kHeader + "instr 1\n  a1 soundin \"x.wav\"\n  outs a1, a1\nendin\n" +
                            "</CsInstruments>\n<CsScore>\n</CsScore>\n</CsoundSynthesizer>\n";
    EXPECT_EQ(load_error("song.csd", csd),
              path("song.csd") + ":10: opcode 'soundin' reads or writes files; " + std::string(kFiles));
}

TEST_F(CsoundOrchestraPolicyTest, an_include_is_refused_before_csound_reads_the_file) {
    // The included file is not an orchestra: were it read, Csound's error would quote its lines.
    write("secret.txt", "password hunter2\n");
    const std::string orchestra =
        std::string(kHeader) + "#include \"" + path("secret.txt") + "\"\ninstr 1\n  out a(0), a(0)\nendin\n";
    const std::string error = load_error("song.orc", orchestra);
    EXPECT_EQ(error, path("song.orc") + ":5: #include reads another file; " + kFiles);
    EXPECT_EQ(error.find("hunter2"), std::string::npos);

    // Also in a comment, in a macro body and as #includestr: all refused, each at its line.
    const std::string text = "; #include \"a.udo\"\n#define X #\\#include \"b\"#\n#includestr \"c\"\n";
    const auto refusals = csound_text_refusals(text, {});
    ASSERT_EQ(refusals.size(), 3u);
    EXPECT_EQ(refusals[0].line, 1);
    EXPECT_EQ(refusals[1].line, 2);
    EXPECT_EQ(refusals[2].line, 3);
    EXPECT_EQ(refusals[2].message, std::string("#includestr reads another file; ") + kFiles);
    EXPECT_TRUE(csound_text_refusals(text, {.files = true}).empty());
}

TEST_F(CsoundOrchestraPolicyTest, the_owners_permissions_let_the_same_orchestras_run) {
    // Files allowed: an included UDO file, and global code that writes a file, which it then does.
    write("tone.udo", "opcode Tone, a, k\n  kcps xin\n  xout oscili(0.1, kcps)\nendop\n");
    const std::string written = path("written.txt");
    const std::string files = std::string(kHeader) + "#include \"" + path("tone.udo") + "\"\n" +
                              "fprints \"" + written + "\", \"hello\"\n" +
                              "instr 1\n  a1 Tone 440\n  outs a1, a1\nendin\n";
    EXPECT_NE(load_error("files.orc", files), "");
    EXPECT_FALSE(std::filesystem::exists(written));
    EXPECT_EQ(load_error("files.orc", files, {.files = true}), "");
    std::ifstream in(written);
    std::stringstream content;
    content << in.rdbuf();
    EXPECT_EQ(content.str(), "hello");

    // Each permission allows its own kind and no other.
    const std::string network =
        std::string(kHeader) + "instr 1\n  OSCsend 0, \"localhost\", 9, \"/x\", \"f\", 1\nendin\n";
    EXPECT_NE(load_error("network.orc", network, {.files = true, .devices = true, .programs = false}), "");
    EXPECT_EQ(load_error("network.orc", network, {.network = true}), "");
    const std::string program = std::string(kHeader) + "instr 1\n  i1 system_i 1, \"true\"\nendin\n";
    EXPECT_NE(load_error("program.orc", program, {.files = true, .network = true, .devices = true}), "");
    EXPECT_EQ(load_error("program.orc", program, {.programs = true}), "");

    // Nothing allows exitnow.
    const std::string exits = std::string(kHeader) + "instr 1\n  exitnow\nendin\n";
    EXPECT_NE(load_error("exits.orc", exits, CsoundPermissions::all()), "");
}

TEST(CsoundOrchestraPolicy, the_owners_list_of_permissions_is_read_and_an_unknown_word_is_named) {
    std::string error;
    const auto some = parse_csound_permissions("files,network", &error);
    ASSERT_TRUE(some) << error;
    EXPECT_TRUE(some->files);
    EXPECT_TRUE(some->network);
    EXPECT_FALSE(some->devices);
    EXPECT_FALSE(some->programs);
    EXPECT_EQ(describe_csound_permissions(*some), "files,network");
    EXPECT_EQ(describe_csound_permissions(*parse_csound_permissions("all", &error)),
              "files,network,devices,programs");
    EXPECT_EQ(describe_csound_permissions(*parse_csound_permissions("none", &error)), "none");
    EXPECT_FALSE(parse_csound_permissions("files,shell", &error));
    EXPECT_EQ(error, "unknown Csound permission 'shell' (files, network, devices, programs, all, none)");
    EXPECT_FALSE(parse_csound_permissions("files,", &error));  // an empty word
    EXPECT_EQ(error, "unknown Csound permission '' (files, network, devices, programs, all, none)");
}

TEST(CsoundOrchestraPolicy, opcodes_the_policy_does_not_know_need_full_trust) {
    const std::vector<CsoundOpcodeCall> calls = {{"oscili", 3, {"1", "440"}}, {"futureop", 4, {}}};
    const std::string text = "\n\noscili\nfutureop\n";
    const auto refusals =
        csound_call_refusals(calls, text, {.files = true, .network = true, .devices = true});
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_EQ(describe_csound_refusal(refusals[0], "song.orc"),
              "song.orc:4: opcode 'futureop' is not one this engine has checked (it is not in Csound 6.18's "
              "list); the engine's owner has not allowed orchestras to run programs, which unchecked opcodes "
              "need");
    EXPECT_TRUE(csound_call_refusals(calls, text, {.programs = true}).empty());
}

TEST(CsoundOrchestraPolicy, maparray_may_call_only_a_constant_allowed_opcode) {
    const std::string text = "x\n";
    EXPECT_TRUE(csound_call_refusals({{"maparray", 1, {"kIn", "\"sin\""}}}, text, {}).empty());
    const auto named = csound_call_refusals({{"maparray", 1, {"kIn", "\"filelen\""}}}, text, {});
    ASSERT_EQ(named.size(), 1u);
    EXPECT_EQ(named[0].message, "opcode 'maparray' calls opcode 'filelen', which reads or writes files; " +
                                    std::string(kFiles));
    const auto variable = csound_call_refusals({{"maparray_i", 1, {"iIn", "Sname"}}}, text, {.files = true});
    ASSERT_EQ(variable.size(), 1u);
    EXPECT_EQ(variable[0].message,
              "opcode 'maparray_i' calls an opcode named at run time, which could be any; the engine's owner "
              "has not allowed orchestras to run programs");
}

TEST(CsoundOrchestraPolicy, a_line_csound_numbers_one_off_is_corrected_against_the_text) {
    const std::string text = "instr 1\nk1 = oscili:k(1,\n  2 + sin(3))\nendin\n";
    EXPECT_EQ(csound_source_line(text, 2, "sin"), 3);     // reported one line early
    EXPECT_EQ(csound_source_line(text, 3, "oscili"), 2);  // reported one line late
    EXPECT_EQ(csound_source_line(text, 3, "sin"), 3);
    EXPECT_EQ(csound_source_line(text, 2, "si"), 2);  // not a word of any line near: as reported
    EXPECT_EQ(csound_source_line(text, 65535, "sin"), 65535);
    EXPECT_EQ(csound_source_line(text, 0, "sin"), 0);
}

// When Csound is upgraded or a plugin package is installed, its new opcodes must be read and classified
// before orchestras may use them: this names them.
TEST(CsoundOrchestraPolicy, every_opcode_of_the_installed_csound_is_one_the_policy_classified) {
    csoundInitialize(CSOUNDINIT_NO_SIGNAL_HANDLER | CSOUNDINIT_NO_ATEXIT);  // as the engine does
    CSOUND* csound = csoundCreate(nullptr);
    ASSERT_NE(csound, nullptr);
    csoundSetOption(csound, "-m0");
    opcodeListEntry* list = nullptr;
    const int count = csoundNewOpcodeList(csound, &list);
    ASSERT_GT(count, 0);
    std::set<std::string> unknown;
    for (int i = 0; i < count; ++i)
        if (!csound_opcode_is_known(list[i].opname)) unknown.insert(list[i].opname);
    csoundDisposeOpcodeList(csound, list);
    csoundDestroy(csound);
    std::string names;
    for (const std::string& name : unknown) names += " " + name;
    EXPECT_TRUE(unknown.empty()) << "opcodes to classify in src/engine/csound/csound_known_opcodes.cpp and "
                                    "csound_orchestra_policy.cpp:"
                                 << names;
    EXPECT_EQ(csound_known_opcode_count(), 1287u);
}

// A misspelt name in the table would refuse nothing and let the real opcode through as a known one.
TEST(CsoundOrchestraPolicy, every_denied_opcode_is_a_known_one_with_its_capability) {
    for (std::string_view name : csound_denied_opcodes()) EXPECT_TRUE(csound_opcode_is_known(name)) << name;
    for (std::string_view name :
         {"ftgen", "ftgenonce", "ftgentmp", "event", "event_i", "maparray", "maparray_i"})
        EXPECT_TRUE(csound_opcode_is_known(name)) << name;
    EXPECT_EQ(csound_opcode_rule("system_i").needs, CsoundCapability::Programs);
    EXPECT_EQ(csound_opcode_rule("diskin2").needs, CsoundCapability::Files);
    EXPECT_EQ(csound_opcode_rule("OSClisten").needs, CsoundCapability::Network);
    EXPECT_EQ(csound_opcode_rule("serialBegin").needs, CsoundCapability::Devices);
    EXPECT_EQ(csound_opcode_rule("exitnow").needs, CsoundCapability::EndsEngine);
    EXPECT_EQ(csound_opcode_rule("ftgen").kind, CsoundOpcodeRule::Kind::CheckArguments);
    EXPECT_EQ(csound_opcode_rule("oscili").kind, CsoundOpcodeRule::Kind::Allowed);
    EXPECT_EQ(csound_opcode_rule("futureop").needs, CsoundCapability::Unknown);
}

}  // namespace
