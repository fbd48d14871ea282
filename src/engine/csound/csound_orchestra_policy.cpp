#include "engine/csound/csound_orchestra_policy.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <utility>

#include "engine/csound/csound_known_opcodes.h"

namespace tactus {

namespace {

using Capability = CsoundCapability;

struct Denied {
    std::string_view name;
    Capability needs;
};

// The opcodes of Csound 6.18 that reach beyond the sound they make, sorted by name. Found by reading
// the full list (csoundNewOpcodeList, csound_known_opcodes.cpp) and the manual entry of every opcode
// that takes a file name, a host or port, a device, a command or code.
constexpr Denied kDenied[] = {
    // ATS analysis files (ATSpartialtap and ATSinterpread only read ATSbufread's buffer).
    {"ATSadd", Capability::Files},
    {"ATSaddnz", Capability::Files},
    {"ATSbufread", Capability::Files},
    {"ATScross", Capability::Files},
    {"ATSinfo", Capability::Files},
    {"ATSread", Capability::Files},
    {"ATSreadnz", Capability::Files},
    {"ATSsinnoi", Capability::Files},
    // OSC over UDP.
    {"OSCbundle", Capability::Network},
    {"OSCcount", Capability::Network},
    {"OSCinit", Capability::Network},
    {"OSCinitM", Capability::Network},
    {"OSClisten", Capability::Network},
    {"OSCraw", Capability::Network},
    {"OSCsend", Capability::Network},
    {"OSCsend_lo", Capability::Network},
    {"adsyn", Capability::Files},  // hetro analysis file
    // Serial ports.
    {"arduinoRead", Capability::Devices},
    {"arduinoReadF", Capability::Devices},
    {"arduinoStart", Capability::Devices},
    {"arduinoStop", Capability::Devices},
    {"bformdec2", Capability::Files},  // binaural mode reads HRTF data files
    // The Tcl/Tk widgets start the `wish` program.
    {"button", Capability::Programs},
    {"checkbox", Capability::Programs},
    // Compile orchestra or score text at run time, which this check never sees.
    {"compilecsd", Capability::Programs},
    {"compileorc", Capability::Programs},
    {"compilestr", Capability::Programs},
    {"control", Capability::Programs},
    {"convolve", Capability::Files},  // .cv analysis file
    {"cpumeter", Capability::Files},  // reads /proc/stat
    {"ctrlprint", Capability::Files},
    {"ctrlprintpresets", Capability::Files},
    {"directory", Capability::Files},
    {"diskgrain", Capability::Files},
    {"diskin", Capability::Files},
    {"diskin2", Capability::Files},
    // DSSI and LADSPA plugins are native code.
    {"dssiactivate", Capability::Programs},
    {"dssiaudio", Capability::Programs},
    {"dssictls", Capability::Programs},
    {"dssiinit", Capability::Programs},
    {"dssilist", Capability::Programs},
    {"dumpk", Capability::Files},
    {"dumpk2", Capability::Files},
    {"dumpk3", Capability::Files},
    {"dumpk4", Capability::Files},
    {"evalstr", Capability::Programs},
    {"exitnow", Capability::EndsEngine},
    {"ficlose", Capability::Files},
    {"filebit", Capability::Files},
    {"filelen", Capability::Files},
    {"filenchnls", Capability::Files},
    {"filepeak", Capability::Files},
    {"filescal", Capability::Files},
    {"filesr", Capability::Files},
    {"filevalid", Capability::Files},
    {"fin", Capability::Files},
    {"fini", Capability::Files},
    {"fink", Capability::Files},
    {"fiopen", Capability::Files},
    {"flashtxt", Capability::Programs},
    {"fout", Capability::Files},
    {"fouti", Capability::Files},
    {"foutir", Capability::Files},
    {"foutk", Capability::Files},
    {"fprintks", Capability::Files},
    {"fprints", Capability::Files},
    {"ftaudio", Capability::Files},
    {"ftload", Capability::Files},
    {"ftloadk", Capability::Files},
    {"ftsamplebank", Capability::Files},
    {"ftsave", Capability::Files},
    {"ftsavek", Capability::Files},
    // HRTF data files.
    {"hrtfearly", Capability::Files},
    {"hrtfer", Capability::Files},
    {"hrtfmove", Capability::Files},
    {"hrtfmove2", Capability::Files},
    {"hrtfreverb", Capability::Files},
    {"hrtfstat", Capability::Files},
    // Remote instruments over TCP.
    {"insglobal", Capability::Network},
    {"insremot", Capability::Network},
    {"joystick", Capability::Devices},
    {"lpread", Capability::Files},
    {"midglobal", Capability::Network},
    {"midremot", Capability::Network},
    {"mp3bitrate", Capability::Files},
    {"mp3in", Capability::Files},
    {"mp3len", Capability::Files},
    {"mp3nchnls", Capability::Files},
    {"mp3scal", Capability::Files},
    {"mp3sr", Capability::Files},
    {"part2txt", Capability::Files},
    {"pconvolve", Capability::Files},
    // Phase vocoder analysis files.
    {"pvadd", Capability::Files},
    {"pvbufread", Capability::Files},
    {"pvcross", Capability::Files},
    {"pvinterp", Capability::Files},
    {"pvoc", Capability::Files},
    {"pvread", Capability::Files},
    {"pvsdiskin", Capability::Files},
    {"pvsfread", Capability::Files},
    {"pvsfwrite", Capability::Files},
    {"pwd", Capability::Files},
    {"readf", Capability::Files},
    {"readfi", Capability::Files},
    {"readk", Capability::Files},
    {"readk2", Capability::Files},
    {"readk3", Capability::Files},
    {"readk4", Capability::Files},
    {"readks", Capability::Files},
    // Score text: its f statements run GEN01 and GEN23 on files, and it has its own #include.
    {"readscore", Capability::Files},
    {"remoteport", Capability::Network},
    {"scoreline", Capability::Files},
    {"scoreline_i", Capability::Files},
    {"sense", Capability::Devices},  // the engine's terminal
    {"sensekey", Capability::Devices},
    {"serialBegin", Capability::Devices},
    {"serialEnd", Capability::Devices},
    {"serialFlush", Capability::Devices},
    {"serialPrint", Capability::Devices},
    {"serialRead", Capability::Devices},
    {"serialWrite", Capability::Devices},
    {"serialWrite_i", Capability::Devices},
    {"setctrl", Capability::Programs},
    {"sfload", Capability::Files},
    {"sndload", Capability::Files},
    {"sockrecv", Capability::Network},
    {"sockrecvs", Capability::Network},
    {"socksend", Capability::Network},
    {"socksends", Capability::Network},
    {"soundin", Capability::Files},
    {"soundout", Capability::Files},
    {"soundouts", Capability::Files},
    {"strecv", Capability::Network},
    {"stsend", Capability::Network},
    {"system", Capability::Programs},
    {"system_i", Capability::Programs},
};

static_assert(std::is_sorted(std::begin(kDenied), std::end(kDenied),
                             [](const Denied& a, const Denied& b) { return a.name < b.name; }),
              "kDenied is searched by binary search");

// Opcodes whose arguments decide: the GEN routine of a table, the statement letter of an event, the
// opcode maparray calls by name.
constexpr std::string_view kTableOpcodes[] = {"ftgen", "ftgenonce", "ftgentmp"};
constexpr std::string_view kEventOpcodes[] = {"event", "event_i"};
constexpr std::string_view kMapOpcodes[] = {"maparray", "maparray_i"};

// GEN routines that read a file: 1 (sound file), 23 (numbers from a text file), 28 (a trajectory
// file), 43 (a phase vocoder file), 49 (an MP3 file). The named GENs of 6.18 compute only.
constexpr int kFileGens[] = {1, 23, 28, 43, 49};
constexpr std::string_view kNamedGens[] = {"exp", "farey", "padsynth", "quadbezier", "sone", "tanh"};

template <typename List, typename Value>
bool contains(const List& list, const Value& value) {
    return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

bool allowed(Capability capability, const CsoundPermissions& permissions) {
    switch (capability) {
        case Capability::Files:
            return permissions.files;
        case Capability::Network:
            return permissions.network;
        case Capability::Devices:
            return permissions.devices;
        case Capability::Programs:
        case Capability::Unknown:
            return permissions.programs;
        case Capability::EndsEngine:
            return false;
    }
    return false;
}

// What an opcode needing `capability` does, and who has not allowed it.
std::string_view what(Capability capability) {
    switch (capability) {
        case Capability::Files:
            return "reads or writes files";
        case Capability::Network:
            return "talks to the network";
        case Capability::Devices:
            return "opens devices of the engine's machine";
        case Capability::Programs:
            return "runs programs or native code, or compiles code this check cannot see";
        case Capability::EndsEngine:
            return "would end the engine's process";
        case Capability::Unknown:
            return "is not one this engine has checked (it is not in Csound 6.18's list)";
    }
    return {};
}

std::string_view not_allowed(Capability capability) {
    switch (capability) {
        case Capability::Files:
            return "the engine's owner has not allowed orchestras to use files";
        case Capability::Network:
            return "the engine's owner has not allowed orchestras to use the network";
        case Capability::Devices:
            return "the engine's owner has not allowed orchestras to open devices";
        case Capability::Programs:
            return "the engine's owner has not allowed orchestras to run programs";
        case Capability::EndsEngine:
            return "no orchestra may use it";
        case Capability::Unknown:
            return "the engine's owner has not allowed orchestras to run programs, which unchecked opcodes "
                   "need";
    }
    return {};
}

bool is_string_literal(std::string_view argument) {
    return argument.size() >= 2 && argument.front() == '"' && argument.back() == '"';
}

std::string_view unquoted(std::string_view literal) {
    return literal.substr(1, literal.size() - 2);
}

// The value of a numeric constant as Csound writes it in the compiled argument list ("10", "-1", "0.5").
bool number_literal(std::string_view argument, double* value) {
    if (argument.empty()) return false;
    const std::string text(argument);
    char* end = nullptr;
    const double parsed = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(parsed)) return false;
    *value = parsed;
    return true;
}

struct Verdict {
    bool refused = false;
    Capability needs = Capability::Unknown;
    std::string message;
};

Verdict refuse(Capability needs, std::string message) {
    return {true, needs, std::move(message)};
}

Verdict refuse_files(const std::string& message) {
    return refuse(Capability::Files, message + "; " + std::string(not_allowed(Capability::Files)));
}

// A table built by GEN routine `arguments[gen_index]` of `call`: refused when that routine reads files.
Verdict gen_verdict(const CsoundOpcodeCall& call, std::size_t gen_index, const std::string& what_call) {
    const std::string_view gen =
        call.arguments.size() > gen_index ? std::string_view(call.arguments[gen_index]) : "";
    if (is_string_literal(gen)) {
        if (contains(kNamedGens, unquoted(gen))) return {};
        return refuse_files(what_call + " uses GEN " + std::string(gen) + ", which this check does not know");
    }
    double number = 0.0;
    if (!number_literal(gen, &number))
        return refuse_files(what_call +
                            " has a GEN routine that is not a constant, and some GEN routines read files");
    const double magnitude = std::fabs(number);
    const int routine = magnitude < 1e6 ? static_cast<int>(magnitude) : 0;
    if (!contains(kFileGens, routine)) return {};
    const std::string digits = std::to_string(routine);
    return refuse_files(what_call + " with GEN" + (digits.size() < 2 ? "0" : "") + digits + " reads a file");
}

// ftgen, ftgenonce, ftgentmp: ifn, itime, isize, igen, arguments...
Verdict table_verdict(const CsoundOpcodeCall& call) {
    return gen_verdict(call, 3, "opcode '" + call.name + "'");
}

// event, event_i: Csound takes the first letter of the statement string; only "f" (a table: "f", ifn,
// itime, isize, igen, ...) can reach a file. The other statements play, mute or end this orchestra.
Verdict event_verdict(const CsoundOpcodeCall& call) {
    const std::string opcode = "opcode '" + call.name + "'";
    if (call.arguments.empty() || !is_string_literal(call.arguments[0]))
        return refuse_files(opcode + " has a statement letter that is not a constant, and an \"f\" " +
                            "statement can build a table from a file");
    const std::string_view statement = unquoted(call.arguments[0]);
    if (statement.empty() || statement[0] != 'f') return {};
    return gen_verdict(call, 4, opcode + " with an \"f\" statement");
}

Verdict map_verdict(const CsoundOpcodeCall& call) {
    const std::string opcode = "opcode '" + call.name + "'";
    if (call.arguments.size() < 2 || !is_string_literal(call.arguments[1]))
        return refuse(Capability::Programs, opcode +
                                                " calls an opcode named at run time, which could be any; " +
                                                std::string(not_allowed(Capability::Programs)));
    const std::string_view target = unquoted(call.arguments[1]);
    const CsoundOpcodeRule rule = csound_opcode_rule(target);
    if (rule.kind == CsoundOpcodeRule::Kind::Allowed) return {};
    const Capability needs = rule.kind == CsoundOpcodeRule::Kind::Needs ? rule.needs : Capability::Programs;
    return refuse(needs, opcode + " calls opcode '" + std::string(target) + "', which " +
                             std::string(what(needs)) + "; " + std::string(not_allowed(needs)));
}

Verdict verdict(const CsoundOpcodeCall& call) {
    const CsoundOpcodeRule rule = csound_opcode_rule(call.name);
    switch (rule.kind) {
        case CsoundOpcodeRule::Kind::Allowed:
            return {};
        case CsoundOpcodeRule::Kind::Needs:
            return refuse(rule.needs, "opcode '" + call.name + "' " + std::string(what(rule.needs)) + "; " +
                                          std::string(not_allowed(rule.needs)));
        case CsoundOpcodeRule::Kind::CheckArguments:
            if (contains(kTableOpcodes, call.name)) return table_verdict(call);
            if (contains(kEventOpcodes, call.name)) return event_verdict(call);
            return map_verdict(call);
    }
    return {};
}

// Offsets of the start of each line: starts[0] is line 1.
std::vector<std::size_t> line_starts(std::string_view text) {
    std::vector<std::size_t> starts{0};
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') starts.push_back(i + 1);
    return starts;
}

bool word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool line_has_word(std::string_view text, const std::vector<std::size_t>& starts, int line,
                   std::string_view word) {
    const std::size_t begin = starts[static_cast<std::size_t>(line - 1)];
    const std::size_t end =
        static_cast<std::size_t>(line) < starts.size() ? starts[static_cast<std::size_t>(line)] : text.size();
    const std::string_view content = text.substr(begin, end - begin);
    for (std::size_t at = content.find(word); at != std::string_view::npos; at = content.find(word, at + 1)) {
        const bool starts_word = at == 0 || !word_char(content[at - 1]);
        const std::size_t after = at + word.size();
        const bool ends_word = after >= content.size() || !word_char(content[after]);
        if (starts_word && ends_word) return true;
    }
    return false;
}

int source_line(std::string_view text, const std::vector<std::size_t>& starts, int reported_line,
                std::string_view name) {
    const int lines = static_cast<int>(starts.size());
    if (name.empty() || reported_line < 1 || reported_line > lines) return reported_line;
    constexpr int kReach = 3;
    for (int distance = 0; distance <= kReach; ++distance) {
        for (const int line : {reported_line - distance, reported_line + distance}) {
            if (line >= 1 && line <= lines && line_has_word(text, starts, line, name)) return line;
            if (distance == 0) break;
        }
    }
    return reported_line;
}

}  // namespace

std::optional<CsoundPermissions> parse_csound_permissions(std::string_view list, std::string* error) {
    CsoundPermissions permissions;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        const std::string_view word = list.substr(start, comma - start);
        if (word == "files") {
            permissions.files = true;
        } else if (word == "network") {
            permissions.network = true;
        } else if (word == "devices") {
            permissions.devices = true;
        } else if (word == "programs") {
            permissions.programs = true;
        } else if (word == "all") {
            permissions = CsoundPermissions::all();
        } else if (word != "none") {
            if (error)
                *error = "unknown Csound permission '" + std::string(word) +
                         "' (files, network, devices, programs, all, none)";
            return std::nullopt;
        }
        start = comma + 1;
    }
    return permissions;
}

std::string describe_csound_permissions(const CsoundPermissions& permissions) {
    std::string list;
    for (const auto& [allowed_here, word] :
         {std::pair{permissions.files, "files"}, std::pair{permissions.network, "network"},
          std::pair{permissions.devices, "devices"}, std::pair{permissions.programs, "programs"}})
        if (allowed_here) list += (list.empty() ? "" : ",") + std::string(word);
    return list.empty() ? "none" : list;
}

CsoundOpcodeRule csound_opcode_rule(std::string_view name) {
    const auto denied =
        std::lower_bound(std::begin(kDenied), std::end(kDenied), name,
                         [](const Denied& entry, std::string_view key) { return entry.name < key; });
    if (denied != std::end(kDenied) && denied->name == name)
        return {CsoundOpcodeRule::Kind::Needs, denied->needs};
    if (contains(kTableOpcodes, name) || contains(kEventOpcodes, name) || contains(kMapOpcodes, name))
        return {CsoundOpcodeRule::Kind::CheckArguments, Capability::Unknown};
    if (csound_opcode_is_known(name)) return {};
    return {CsoundOpcodeRule::Kind::Needs, Capability::Unknown};
}

std::vector<std::string_view> csound_denied_opcodes() {
    std::vector<std::string_view> names;
    for (const Denied& entry : kDenied) names.push_back(entry.name);
    return names;
}

std::string describe_csound_refusal(const CsoundRefusal& refusal, const std::string& file_name) {
    if (refusal.line <= 0) return file_name + ": " + refusal.message;
    return file_name + ":" + std::to_string(refusal.line) + ": " + refusal.message;
}

std::vector<CsoundRefusal> csound_text_refusals(std::string_view text, const CsoundPermissions& permissions) {
    std::vector<CsoundRefusal> refusals;
    if (permissions.files) return refusals;
    int line = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') ++line;
        if (text[i] != '#') continue;
        // Csound's preprocessor takes "#include" and "#includestr"; spaces after '#' and other letter
        // cases are refused too, in case a version accepts them.
        std::size_t at = i + 1;
        while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
        constexpr std::string_view kInclude = "include";
        if (text.size() - at < kInclude.size()) continue;
        bool match = true;
        for (std::size_t k = 0; k < kInclude.size() && match; ++k)
            match = std::tolower(static_cast<unsigned char>(text[at + k])) == kInclude[k];
        if (!match) continue;
        const bool str = text.compare(at + kInclude.size(), 3, "str") == 0;
        refusals.push_back({line, std::string(str ? "#includestr" : "#include") +
                                      " reads another file; the engine's owner has not allowed orchestras "
                                      "to use files"});
    }
    return refusals;
}

std::vector<CsoundRefusal> csound_call_refusals(const std::vector<CsoundOpcodeCall>& calls,
                                                std::string_view text, const CsoundPermissions& permissions) {
    std::vector<CsoundRefusal> refusals;
    const std::vector<std::size_t> starts = line_starts(text);
    for (const CsoundOpcodeCall& call : calls) {
        Verdict v = verdict(call);
        if (!v.refused || allowed(v.needs, permissions)) continue;
        refusals.push_back({source_line(text, starts, call.reported_line, call.name), std::move(v.message)});
    }
    return refusals;
}

int csound_source_line(std::string_view text, int reported_line, std::string_view name) {
    return source_line(text, line_starts(text), reported_line, name);
}

}  // namespace tactus
