// Subscribers to live edits (docs/protocol.md, /edits/subscribe): subscribers over UDP and TCP receive
// every batch another client applied, with consecutive revisions, and rebuild the document from the
// pushes alone; a note added with id 0 gets an id the push shows.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/document_json.h"
#include "live_edit_fixture.h"
#include "live_edit_generator.h"
#include "live_edit_messages.h"
#include "live_edit_model.h"

namespace tactus::test {
namespace {

using std::chrono::milliseconds;

TEST_F(LiveEditJackTest, subscribers_receive_every_applied_batch_and_rebuild_the_document) {
    const Document doc = band_document();
    ASSERT_TRUE(load(save_temp(doc, "live-push")));
    ASSERT_TRUE(osc_.call("/loop", osc().i(1).d(0.0).d(16.0)));
    ASSERT_TRUE(play_from(0.0));

    // Subscriber U over UDP (the fixture's OscTestClient), subscriber T over TCP.
    const auto u_reply = osc_.call("/edits/subscribe");
    ASSERT_TRUE(u_reply);
    ASSERT_EQ(u_reply->to_string(), "/reply ,sh \"/edits/subscribe\" " + std::to_string(doc.revision));
    OscTcpClient t;
    std::string error;
    ASSERT_TRUE(t.connect(tactusd_->port(), &error)) << error;
    const auto t_reply = t.call("/edits/subscribe");
    ASSERT_TRUE(t_reply);
    ASSERT_EQ(t_reply->to_string(), "/reply ,sh \"/edits/subscribe\" " + std::to_string(doc.revision));

    DocModel model = DocModel::from(doc);
    DocModel u_mirror = model, t_mirror = model;
    std::uint64_t u_next = doc.revision + 1, t_next = doc.revision + 1;
    std::int64_t u_batches = 0, t_batches = 0, applied = 0;
    EditGenerator generator(777, 20'000, 200);

    // Applies one pushed batch (its /edited head and `count` messages) to a mirror.
    const auto apply_push = [](const OscIncoming& head, const std::vector<OscIncoming>& messages,
                               DocModel& mirror, std::uint64_t& next, const char* who) {
        ASSERT_EQ(head.address, "/edited") << who;
        ASSERT_EQ(head.types, "hi") << who;
        EXPECT_EQ(head.integer(0), std::int64_t(next)) << who << ": revisions must be consecutive";
        ASSERT_EQ(head.integer(1), std::int64_t(messages.size())) << who << ": " << head.to_string();
        next = std::uint64_t(head.integer(0)) + 1;
        std::vector<ModelEdit> edits;
        for (const OscIncoming& m : messages) {
            std::string problem;
            const auto part = edits_of_push(m, &problem);
            ASSERT_TRUE(problem.empty()) << who << ": " << problem;
            edits.insert(edits.end(), part.begin(), part.end());
        }
        ASSERT_EQ(mirror.apply_batch(edits), 0u) << who << ": a pushed batch does not apply to the mirror";
        mirror.revision = std::uint64_t(head.integer(0));
    };
    const auto drain_udp = [&](milliseconds wait) {
        while (auto m = osc_.receive(wait)) {
            if (m->address == "/applied") continue;  // the frame a program was heard from
            ASSERT_EQ(m->address, "/edited") << "UDP subscriber received " << m->to_string();
            std::vector<OscIncoming> messages;
            for (std::int64_t i = 0; i < m->integer(1); ++i) {
                auto part = osc_.receive(10000ms);
                ASSERT_TRUE(part) << "a pushed batch ended early";
                messages.push_back(*part);
            }
            apply_push(*m, messages, u_mirror, u_next, "UDP subscriber");
            ++u_batches;
        }
    };
    const auto drain_tcp = [&](milliseconds wait) {
        while (auto packet = t.receive_packet(wait)) {
            if (!packet->is_bundle && packet->messages.front().address == "/applied") continue;
            ASSERT_TRUE(packet->is_bundle)
                << "TCP subscriber received a lone " << packet->messages.front().address;
            std::vector<OscIncoming> messages;
            for (std::size_t i = 1; i < packet->messages.size(); ++i)
                messages.push_back(to_incoming(packet->messages[i]));
            apply_push(to_incoming(packet->messages.front()), messages, t_mirror, t_next, "TCP subscriber");
            ++t_batches;
        }
    };

    for (int i = 0; i < 400; ++i) {
        const std::vector<EditMessage> packet = generator.packet(model);
        const std::vector<ExpectedAnswer> answers = predict(packet, model);
        std::vector<OscBytes> elements;
        for (const EditMessage& m : packet) elements.push_back(m.bytes);
        ASSERT_TRUE(
            tcp_.send_packet(packet.size() == 1 ? elements.front() : osc_bundle_of(kImmediately, elements)));
        for (const ExpectedAnswer& want : answers) {
            const auto got = tcp_.receive(30000ms);  // a safety net, not a bound under test
            ASSERT_TRUE(got) << "no answer to packet " << i << "; " << engine_state();
            ASSERT_EQ(mismatch(want, *got), "");
            if (!want.ping && !want.error) ++applied;
        }
        if (i % 5 == 0) {
            // (OscTestClient::receive reads the socket only when at least a whole millisecond is left.)
            drain_udp(3ms);
            drain_tcp(0ms);
            if (HasFatalFailure()) return;
        }
    }
    // The last pushes may trail on a busy machine: drain until every batch came, or 10 s passed.
    for (const auto until = std::chrono::steady_clock::now() + 10s;
         (u_batches < applied || t_batches < applied) && std::chrono::steady_clock::now() < until;) {
        drain_udp(100ms);
        drain_tcp(100ms);
        if (HasFatalFailure()) return;
    }
    drain_udp(100ms);  // and nothing more than every batch
    drain_tcp(100ms);
    if (HasFatalFailure()) return;
    EXPECT_EQ(u_batches, applied) << "the UDP subscriber missed batches";
    EXPECT_EQ(t_batches, applied) << "the TCP subscriber missed batches";
    EXPECT_TRUE(tcp_.inbox().empty()) << "the editing client received something besides its answers";
    for (const std::string& d : differences(model, u_mirror)) ADD_FAILURE() << "UDP mirror: " << d;
    for (const std::string& d : differences(model, t_mirror)) ADD_FAILURE() << "TCP mirror: " << d;

    // The engine's own document agrees with both.
    ASSERT_TRUE(t.send("/document"));
    const auto fetched = t.wait_message("/document", 10000ms);
    ASSERT_TRUE(fetched && fetched->types == "hs");
    LoadResult parsed = parse_document(fetched->string(1), "/document");
    ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front().to_string();
    for (const std::string& d : differences(model, DocModel::from(*parsed.document)))
        ADD_FAILURE() << "engine: " << d;
    report("batches_applied_and_pushed", applied);
    expect_alive_then_clean_exit();
}

// /note/add with id 0: "lets the engine pick the next free id (the push and /edits/since show it)".
TEST_F(LiveEditJackTest, a_note_added_with_id_zero_gets_an_engine_picked_id_that_the_push_shows) {
    const Document doc = click_document(4);
    ASSERT_TRUE(load(save_temp(doc, "live-id0")));
    ASSERT_TRUE(osc_.call("/edits/subscribe"));
    const auto reply = tcp_edit("/note/add", osc().i(1).h(0).d(2.25).d(0.25).i(64).i(100));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->to_string(), "/reply ,shi \"/note/add\" 1 1");
    auto head = osc_.receive(10000ms);
    while (head && head->address == "/applied") head = osc_.receive(10000ms);  // when programs were heard
    ASSERT_TRUE(head) << "no push";
    EXPECT_EQ(head->to_string(), "/edited ,hi 1 1");
    const auto pushed = osc_.receive(10000ms);
    ASSERT_TRUE(pushed);
    EXPECT_EQ(pushed->address, "/note/add");
    if (pushed->args.size() == 6) {
        EXPECT_GT(pushed->integer(1), 4) << "an id of its own, not one in use";
    }
    expect_alive_then_clean_exit();
}

}  // namespace
}  // namespace tactus::test
