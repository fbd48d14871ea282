// A large document's notes parsed on several threads (parse_document_on_threads): the result is the
// one-thread parse's, the document when there is no problem, every message in the same order when
// there is one. Small pieces here, so that a small text is cut in many places.
#include <gtest/gtest.h>

#include <string>

#include "core/document_json.h"
#include "core/notes_text_scan.h"

namespace tactus {
namespace {

// A document of `tracks` tracks of `per_track` notes each, written as a person or a program might:
// varied spacing, some cents, an unknown member, ids in document order starting at 1.
std::string many_notes(int tracks, int per_track) {
    std::string text =
        R"({"format": "tactus", "version": 1, "title": "many", "tempo": [{"beat": 0, "bpm": 120}],
 "tracks": [)";
    int id = 1;
    for (int t = 0; t < tracks; ++t) {
        text += t > 0 ? ",\n" : "\n";
        text += R"(  {"id": )" + std::to_string(t + 1) + R"(, "name": "track \")" + std::to_string(t) +
                R"(\" [notes]", "preset": "sine", "notes": [)";
        for (int k = 0; k < per_track; ++k, ++id) {
            text += k > 0 ? (k % 3 == 0 ? ",\n   " : ", ") : "\n   ";
            text += R"({"id": )" + std::to_string(id) + R"(, "start": )" + std::to_string(k * 0.25) +
                    R"(, "length": 0.2, "pitch": )" + std::to_string(36 + (k * 7) % 60) +
                    R"(, "velocity": )" + std::to_string(1 + k % 127);
            if (k % 10 == 3) text += R"(, "cents": -12.5)";
            if (k % 17 == 5) text += R"(, "comment": "a, b ] } [")";
            text += "}";
        }
        text += "\n  ], \"level\": 0.5}";
    }
    text += "\n ]}\n";
    return text;
}

std::string replace_once(std::string text, const std::string& what, const std::string& with) {
    const std::size_t at = text.find(what);
    EXPECT_NE(at, std::string::npos) << what;
    if (at != std::string::npos) text.replace(at, what.size(), with);
    return text;
}

// Replaces the first `what` within the note whose id is `id`.
std::string replace_in_note(std::string text, int id, const std::string& what, const std::string& with) {
    const std::size_t note = text.find("{\"id\": " + std::to_string(id) + ",");
    EXPECT_NE(note, std::string::npos) << id;
    const std::size_t at = note == std::string::npos ? note : text.find(what, note);
    EXPECT_NE(at, std::string::npos) << what;
    if (at != std::string::npos) text.replace(at, what.size(), with);
    return text;
}

std::string errors_of(const LoadResult& r) {
    std::string all;
    for (const LoadError& e : r.errors) all += e.to_string() + "\n";
    return all;
}

// The threaded parse gives what the one-thread parse gives.
void expect_same_as_one_thread(const std::string& text, int threads = 3, std::size_t piece_bytes = 300) {
    const LoadResult one = parse_document_on_threads(text, "song.json", ContentInErrors::Quoted, 1, 0);
    const LoadResult many =
        parse_document_on_threads(text, "song.json", ContentInErrors::Quoted, threads, piece_bytes);
    ASSERT_EQ(one.document.has_value(), many.document.has_value()) << errors_of(one) << errors_of(many);
    if (one.document) {
        EXPECT_EQ(document_to_string(*one.document), document_to_string(*many.document));
    } else {
        EXPECT_EQ(errors_of(one), errors_of(many));
    }
}

TEST(NotesTextScan, cuts_each_tracks_notes_into_pieces_of_whole_elements_and_leaves_the_rest) {
    const std::string text = many_notes(2, 40);
    const auto layout = scan_notes_text(text, 500);
    ASSERT_TRUE(layout);
    ASSERT_GT(layout->pieces.size(), 4u);
    std::size_t notes_seen = 0;
    for (const NotesTextPiece& p : layout->pieces) {
        ASSERT_LT(p.track, 2u);
        const std::string piece = text.substr(p.begin, p.end - p.begin);
        // Whole elements: each piece parses as an array of note objects.
        const auto parsed = nlohmann::json::parse("[" + piece + "]", nullptr, false);
        ASSERT_FALSE(parsed.is_discarded()) << piece;
        for (const auto& note : parsed) EXPECT_TRUE(note.contains("pitch"));
        notes_seen += parsed.size();
    }
    EXPECT_EQ(notes_seen, 80u);
    // The skeleton is the document with empty notes arrays: the strings with brackets and commas
    // in them (names, comments) did not fool the scan.
    const auto skeleton = nlohmann::json::parse(layout->skeleton);
    ASSERT_EQ(skeleton["tracks"].size(), 2u);
    EXPECT_TRUE(skeleton["tracks"][1]["notes"].empty());
    EXPECT_EQ(skeleton["tracks"][1]["name"], "track \"1\" [notes]");
    EXPECT_EQ(skeleton["tracks"][1]["level"], 0.5);
}

TEST(NotesTextScan, gives_up_on_text_whose_nesting_does_not_close_or_whose_tracks_are_not_objects) {
    EXPECT_FALSE(scan_notes_text(R"({"tracks": [{"notes": [{"id": 1}]})", 1));
    EXPECT_FALSE(scan_notes_text(R"({"tracks": [{"notes": [1, 2]}, 5]})", 1));
    EXPECT_FALSE(scan_notes_text(R"({"tracks": ["a"]})", 1));
    EXPECT_FALSE(scan_notes_text(R"({"tracks": [{"name": "unclosed}]})", 1));
}

TEST(DocumentJsonThreads, a_valid_document_reads_the_same_as_on_one_thread) {
    const std::string text = many_notes(4, 200);
    const std::uint64_t threaded_before = detail::documents_parsed_on_threads();
    const LoadResult many = parse_document_on_threads(text, "song.json", ContentInErrors::Quoted, 3, 300);
    ASSERT_TRUE(many.document) << errors_of(many);
    EXPECT_EQ(detail::documents_parsed_on_threads(), threaded_before + 1);  // not a fallback
    ASSERT_EQ(many.document->tracks.size(), 4u);
    EXPECT_EQ(many.document->tracks[2].notes.size(), 200u);
    EXPECT_EQ(many.document->tracks[2].notes[0].id, 401u);
    EXPECT_EQ(many.document->tracks[3].notes.back().id, 800u);
    EXPECT_EQ(many.document->tracks[0].notes[3].cents, -12.5);
    expect_same_as_one_thread(text);
    expect_same_as_one_thread(text, 2, 1);        // a piece per note
    expect_same_as_one_thread(text, 8, 1 << 20);  // one piece per track
    EXPECT_EQ(detail::documents_parsed_on_threads(), threaded_before + 4);
}

TEST(DocumentJsonThreads, a_note_with_a_problem_is_reported_as_on_one_thread) {
    const std::string text = many_notes(3, 150);
    const std::uint64_t threaded_before = detail::documents_parsed_on_threads();
    expect_same_as_one_thread(replace_in_note(text, 320, R"("pitch": )", R"("pitch": 2)"));
    expect_same_as_one_thread(replace_once(text, R"({"id": 77,)", R"([{"id": 77},)"));
    expect_same_as_one_thread(replace_once(text, R"("id": 250,)", R"("id": 9, "pitch": 3,)"));
    EXPECT_EQ(detail::documents_parsed_on_threads(), threaded_before);  // each parsed again on one thread
}

TEST(DocumentJsonThreads, a_repeated_id_in_other_pieces_or_tracks_is_reported_as_on_one_thread) {
    const std::string text = many_notes(3, 150);
    expect_same_as_one_thread(replace_once(text, R"("id": 140,)", R"("id": 12,)"));  // same track
    expect_same_as_one_thread(replace_once(text, R"("id": 440,)", R"("id": 12,)"));  // another track
}

TEST(DocumentJsonThreads, broken_text_is_reported_at_the_same_line_and_column) {
    const std::string text = many_notes(3, 150);
    expect_same_as_one_thread(replace_in_note(text, 200, R"(, "start")", R"( "start")"));
    expect_same_as_one_thread(replace_once(text, R"("id": 300,)", R"("id": 300,,)"));
    expect_same_as_one_thread(text.substr(0, text.size() / 2));
    expect_same_as_one_thread(replace_once(text, "}\n ]}", "},\n ]}"));
    // A comma with no element after or before it, where the text is cut: no piece may drop it.
    const std::string trailing = replace_once(text, "}\n  ], \"level\"", "},\n  ], \"level\"");
    const std::string leading = replace_once(text, "\"notes\": [\n", "\"notes\": [ ,\n");
    for (const std::size_t piece_bytes : {std::size_t(1), std::size_t(300)}) {
        expect_same_as_one_thread(trailing, 2, piece_bytes);
        expect_same_as_one_thread(leading, 2, piece_bytes);
    }
    expect_same_as_one_thread(replace_in_note(text, 100, R"("start": )", R"("start": 1e999, "x": )"));
}

TEST(DocumentJsonThreads, problems_outside_the_notes_are_reported_as_on_one_thread) {
    const std::string text = many_notes(3, 150);
    expect_same_as_one_thread(replace_once(text, R"("preset": "sine")", R"("preset": 5)"));
    expect_same_as_one_thread(replace_once(text, R"("level": 0.5)", R"("level": 0.5, "level": 0.4)"));
    expect_same_as_one_thread(replace_once(text, R"("level": 0.5)", R"("level": 0.5, "notes": [])"));
    expect_same_as_one_thread(replace_once(text, R"("version": 1)", R"("version": 99)"));
}

TEST(DocumentJsonThreads, notes_under_an_escaped_key_are_read_as_on_one_thread) {
    // The scan does not see an escaped "notes": that array stays in the skeleton, read there.
    const std::string text = many_notes(3, 150);
    const std::string escaped =
        replace_once(text, R"("preset": "sine", "notes": [)", R"("preset": "sine", "no\u0074es": [)");
    expect_same_as_one_thread(escaped);
    expect_same_as_one_thread(replace_once(escaped, R"("id": 12,)", R"("id": 290,)"));
}

}  // namespace
}  // namespace tactus
