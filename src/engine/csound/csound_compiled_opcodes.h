// The opcode calls of an orchestra that Csound has compiled but not started, read back through
// Csound's plugin interface (csdl.h: GetInstrumentList and the INSTRTXT/OPTXT chain), for the
// orchestra policy (csound_orchestra_policy.h).
//
// Why the compiled form and not csoundParseOrc's tree: the tree's node types are numbers from a bison
// header Csound does not install, and csoundParseOrc called on its own segfaults on a preprocessor
// error (an unmatched #ifdef makes it longjmp to a jump buffer only csoundCompileOrc sets up).
// csoundCompileOrc does not run anything before csoundStart, not even the global (instr 0) code.
//
// Threading: call from the thread that compiled the orchestra, before csoundStart.
#pragma once

#include <string>
#include <vector>

typedef struct CSOUND_ CSOUND;

namespace tactus {

// One opcode call as Csound compiled it.
struct CsoundOpcodeCall {
    std::string name;                    // without Csound's type suffix: "ftgen", not "ftgen.iS"
    int reported_line = 0;               // Csound's line for it: may be one off (see csound_source_line)
    std::vector<std::string> arguments;  // the input arguments as written: "1", "\"x.wav\"", "kx", "#i0"
};

// Every opcode call in every instrument, user-defined opcode body and the global code. Calls of
// user-defined opcodes, labels and Csound's own operators ("##add", "=") are left out: a user-defined
// opcode's body is listed as it is, and the operators only compute.
std::vector<CsoundOpcodeCall> csound_compiled_opcode_calls(CSOUND* csound);

}  // namespace tactus
