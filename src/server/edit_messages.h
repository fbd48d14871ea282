// The edit commands of the protocol (docs/protocol.md, "Editing") as OSC: parsing a message into
// edits, and writing an applied batch back as messages (pushed to subscribers and replayed by
// /edits/since). Parsing and writing are exact inverses, so a client can apply what it is pushed
// with the same code it uses to send.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/score_edit.h"
#include "server/osc_message.h"

namespace tactus {

// True for the addresses that edit the document (they are gathered into one atomic batch).
bool is_edit_address(std::string_view address);

// Appends the edits one message carries (several when its argument groups repeat); a
// /note/audition message adds note ids to `auditions` instead. Throws OscArgError naming the
// argument on a wrong type, count or range.
void parse_edit_message(const OscMessage& message, std::vector<Edit>& edits, std::vector<NoteId>& auditions);

// One message per edit (two for a note added with cents, or moved in time and to another track),
// as a client sends them: put them in one bundle and they apply as one batch.
std::vector<std::vector<std::uint8_t>> edit_messages(const std::vector<Edit>& edits);

// The batch as one bundle: `/edited h:revision i:edit_count` followed by one message per edit.
std::vector<std::uint8_t> edit_batch_bundle(const EditBatch& batch);

}  // namespace tactus
