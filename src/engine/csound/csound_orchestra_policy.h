// Decides whether a Csound orchestra may run on the engine's machine. Csound 6.18 has no sandbox and no
// way to switch opcodes off (docs/research/csound-6.18-hosting.md, "Security"), so the engine reads
// what an orchestra calls before starting it and refuses, by default, an orchestra that could run
// programs, use files, talk to the network or open devices. The engine's owner allows more
// (CsoundPermissions); a client on the network cannot. docs/security.md lists the rules.
//
// The rules are an allow-list: every opcode of Csound 6.18 is classified (csound_known_opcodes.h), and
// an opcode not classified, from a newer Csound or another plugin, is refused unless the owner trusts
// orchestras fully (programs allowed).
//
// Threading: pure functions, any thread (the orchestra is vetted where it is loaded, off the audio
// thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/csound/csound_compiled_opcodes.h"

namespace tactus {

// What the engine's owner lets orchestras do besides making sound. The default allows none of it.
struct CsoundPermissions {
    bool files = false;     // read and write files: soundin, diskin2, GEN01/23/28/43/49, fout, #include...
    bool network = false;   // OSC, sockets, remote instruments
    bool devices = false;   // serial ports and Arduinos, joysticks, the engine's terminal (sensekey)
    bool programs = false;  // run programs (system_i), load native plugins (DSSI), compile code at run
                            // time, and opcodes the policy does not know: this is full trust
    static CsoundPermissions all() { return {true, true, true, true}; }
};

// The owner's list as tactusd's --csound-allow takes it: "files,network", "all" or "none" (commas, no
// spaces). nullopt with *error "unknown Csound permission 'x' (files, network, devices, programs, all,
// none)" for a word it does not know.
std::optional<CsoundPermissions> parse_csound_permissions(std::string_view list, std::string* error);
// The same list back ("files,network"; "none" when nothing is allowed), for logs and status replies.
std::string describe_csound_permissions(const CsoundPermissions& permissions);

// What a refused opcode would do.
enum class CsoundCapability { Files, Network, Devices, Programs, EndsEngine, Unknown };

// The rule for one opcode name (without its ".ik" suffix): Kind::Allowed for pure sound, a capability
// it needs, or Kind::CheckArguments when its arguments decide (ftgen's GEN routine, an event's "f"
// statement and its GEN routine, the opcode maparray calls by name).
struct CsoundOpcodeRule {
    enum class Kind { Allowed, Needs, CheckArguments };
    Kind kind = Kind::Allowed;
    CsoundCapability needs = CsoundCapability::Unknown;
};
CsoundOpcodeRule csound_opcode_rule(std::string_view name);
// The names csound_opcode_rule refuses by name (for the test that each is a real opcode).
std::vector<std::string_view> csound_denied_opcodes();

// One reason not to run the orchestra, at a line of its file (0: no line).
struct CsoundRefusal {
    int line = 0;
    std::string message;  // "opcode 'diskin2' reads or writes files; the engine's owner has not allowed
                          // orchestras to use files"
};

// "<file_name>:<line>: <message>" (no line part when the line is 0).
std::string describe_csound_refusal(const CsoundRefusal& refusal, const std::string& file_name);

// Refusals in orchestra text before Csound reads it: `#include` and `#includestr` make Csound's
// preprocessor read another file (and quote its lines in its errors), so they need Files. Any
// occurrence counts, even in a comment or a macro body: refusing a commented-out include costs less
// than reading a file the policy cannot see. Lines are those of `text`.
std::vector<CsoundRefusal> csound_text_refusals(std::string_view text, const CsoundPermissions& permissions);

// Refusals of the calls of a compiled orchestra (csound_compiled_opcode_calls), in call order.
// `text` is the text that was compiled, padded so that its lines are the file's: Csound's own line
// numbers can be one off, and the line of a refusal is corrected against the text.
std::vector<CsoundRefusal> csound_call_refusals(const std::vector<CsoundOpcodeCall>& calls,
                                                std::string_view text, const CsoundPermissions& permissions);

// The line of `text` near `reported_line` where `name` is written as a word: Csound 6.18 numbers a
// call inside a multi-line expression, or one at the end of a statement, one line off. The nearest
// line within 3 that holds the word wins (the reported line first); `reported_line` when none does
// (a name made by a macro) or when it is not a line of the text.
int csound_source_line(std::string_view text, int reported_line, std::string_view name);

}  // namespace tactus
