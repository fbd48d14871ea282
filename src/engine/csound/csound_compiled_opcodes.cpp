#include "engine/csound/csound_compiled_opcodes.h"

// The plugin interface: the CSOUND struct's public function table and the compiled instrument
// structures. It hides the host API (csound.h's functions), which this file does not use.
#include <csound/csdl.h>

#include <cctype>
#include <string_view>

namespace tactus {

namespace {

// Labels ("$label"), Csound's operators and its expression helpers ("##add", "=", "<") compute nothing
// outside the orchestra.
bool internal(std::string_view name) {
    if (name.empty() || name[0] == '#' || name[0] == '$') return true;
    for (char c : name)
        if (std::isalpha(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace

std::vector<CsoundOpcodeCall> csound_compiled_opcode_calls(CSOUND* csound) {
    std::vector<CsoundOpcodeCall> calls;
    INSTRTXT** instruments = csound->GetInstrumentList(csound);
    if (!instruments) return calls;
    // instruments[0] is the global code; nxtinstxt chains every instrument and user-defined opcode
    // body compiled after it.
    for (INSTRTXT* instrument = instruments[0]; instrument; instrument = instrument->nxtinstxt) {
        for (OPTXT* op = instrument->nxtop; op; op = op->nxtop) {
            const TEXT& text = op->t;
            const OENTRY* entry = text.oentry;
            const char* full_name = entry && entry->opname ? entry->opname : text.opcod;
            if (!full_name) continue;
            if (entry && entry->useropinfo) continue;  // a user-defined opcode: its body is listed
            std::string_view name(full_name);
            name = name.substr(0, name.find('.'));
            if (internal(name)) continue;
            CsoundOpcodeCall call;
            call.name = std::string(name);
            call.reported_line = text.linenum;
            if (text.inlist)
                for (int i = 0; i < text.inlist->count; ++i)
                    call.arguments.emplace_back(text.inlist->arg[i] ? text.inlist->arg[i] : "");
            calls.push_back(std::move(call));
        }
    }
    return calls;
}

}  // namespace tactus
