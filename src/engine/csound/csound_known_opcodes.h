// The opcodes of Csound 6.18 that the orchestra policy has classified (csound_orchestra_policy.h).
// Pure data: any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace tactus {

// True when `name` (without its ".ik" type suffix) is an opcode of the Csound 6.18 that the policy was
// written against.
bool csound_opcode_is_known(std::string_view name);
std::size_t csound_known_opcode_count();

}  // namespace tactus
