// 10,000 random live edits over TCP while tactusd plays (docs/protocol.md, "Editing the document"):
// valid and invalid, single and batched, each answered exactly as the rules of the protocol predict
// (live_edit_model.h), and the engine's document ends equal to the test's own model of it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/document_json.h"
#include "live_edit_fixture.h"
#include "live_edit_generator.h"
#include "live_edit_messages.h"
#include "live_edit_model.h"

namespace tactus::test {
namespace {

using Clock = std::chrono::steady_clock;

TEST_F(LiveEditJackTest, ten_thousand_random_edits_over_tcp_are_answered_as_the_rules_predict) {
    const Document doc = band_document();
    ASSERT_TRUE(load(save_temp(doc, "live-random")));
    const auto loop = osc_.call("/loop", osc().i(1).d(0.0).d(16.0));
    ASSERT_TRUE(loop && !loop->is_error()) << (loop ? loop->to_string() : "no answer");
    const auto play = play_from(0.0);
    ASSERT_TRUE(play.has_value());
    const auto status_before = status();

    DocModel model = DocModel::from(doc);
    EditGenerator generator(20261124, 10'000, 100);
    constexpr std::int64_t kEdits = 10'000;
    constexpr std::size_t kInFlight = 8;  // packets sent ahead of their answers
    std::int64_t edits_sent = 0, packets = 0, bundles = 0, applied = 0, refused = 0, mismatches = 0;
    bool answer_missing = false;
    std::deque<std::pair<ExpectedAnswer, std::string>> owed;  // answer, and what was sent (for messages)
    std::size_t in_flight = 0;
    std::deque<std::size_t> answers_per_packet;
    const auto started = Clock::now();
    const auto take_answer = [&]() -> bool {
        auto got = tcp_.receive(30000ms);  // a safety net, not a bound under test
        if (!got) {
            ADD_FAILURE() << "no answer within 3 s; " << owed.size() << " answers owed; " << engine_state();
            answer_missing = true;
            return false;
        }
        if (owed.empty()) {
            ADD_FAILURE() << "an answer nobody asked for: " << got->to_string();
            answer_missing = true;
            return false;
        }
        const auto [want, sent] = owed.front();
        owed.pop_front();
        if (const std::string why = mismatch(want, *got); !why.empty()) {
            if (mismatches++ < 10) ADD_FAILURE() << "after sending " << sent << ": " << why;
        }
        (want.error ? refused : applied) += want.ping ? 0 : 1;
        if (--answers_per_packet.front() == 0) {
            answers_per_packet.pop_front();
            --in_flight;
        }
        return true;
    };
    while (edits_sent < kEdits && mismatches < 10) {
        const std::vector<EditMessage> packet = generator.packet(model);
        const std::vector<ExpectedAnswer> answers = predict(packet, model);
        std::string sent;
        for (const EditMessage& m : packet) sent += (sent.empty() ? "" : ", ") + m.address;
        if (packet.size() > 1) sent = "[" + sent + "]", ++bundles;
        sent += " (packet " + std::to_string(packets) + ")";
        std::vector<OscBytes> elements;
        for (const EditMessage& m : packet) elements.push_back(m.bytes);
        ASSERT_TRUE(
            tcp_.send_packet(packet.size() == 1 ? elements.front() : osc_bundle_of(kImmediately, elements)));
        ++packets;
        edits_sent += generator.edits_in(packet);
        for (const ExpectedAnswer& a : answers) owed.emplace_back(a, sent);
        answers_per_packet.push_back(answers.size());
        ++in_flight;
        while (in_flight >= kInFlight)
            if (!take_answer()) break;
        if (answer_missing) break;
    }
    while (!owed.empty() && !answer_missing) take_answer();
    ASSERT_TRUE(engine_running()) << engine_state();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    EXPECT_EQ(mismatches, 0) << "answers that differ from the prediction (first 10 shown)";

    // The engine's document, over TCP, against the model.
    ASSERT_TRUE(tcp_.send("/document"));
    const auto fetched = tcp_.wait_message("/document", 10000ms);
    ASSERT_TRUE(fetched && fetched->types == "hs") << (fetched ? fetched->to_string() : "no /document reply");
    LoadResult parsed = parse_document(fetched->string(1), "/document");
    ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front().to_string();
    DocModel engine = DocModel::from(*parsed.document);
    EXPECT_EQ(fetched->integer(0), std::int64_t(model.revision));
    EXPECT_EQ(model.revision, doc.revision + std::uint64_t(applied)) << "one revision per applied batch";
    for (const std::string& d : differences(model, engine)) ADD_FAILURE() << d;

    const auto status_after = status();
    ASSERT_TRUE(status_after);
    EXPECT_TRUE(status_after->playing) << "the transport stopped during the edits";
    report("edits_sent", edits_sent);
    report("packets", packets);
    report("bundles", bundles);
    report("batches_applied", applied);
    report("batches_refused", refused);
    report("notes_at_end", std::int64_t(model.notes.size()));
    report("tracks_at_end", std::int64_t(model.tracks.size()));
    report("edit_seconds", std::to_string(seconds));
    if (status_before) report("tactusd_xruns_during_edits", status_after->xruns - status_before->xruns);
    expect_alive_then_clean_exit();
}

}  // namespace
}  // namespace tactus::test
