// A csound track in the JSON document format: its orchestra and instrument fields round-trip, a wrong
// type is refused at its JSON path, and orchestra names resolve against the document's directory
// (docs/document-format.md; core/document_files.h).
#include <gtest/gtest.h>

#include <string>

#include "core/document_files.h"
#include "core/document_json.h"

namespace tactus {
namespace {

constexpr const char* kSong = R"({"format": "tactus", "version": 1, "tracks": [
  {"id": 1, "name": "Bell", "instrument": "csound", "orchestra": "orchestras/bell.orc",
   "csound_instrument": "Bell", "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 69}]},
  {"id": 2, "name": "Pluck", "instrument": "csound", "orchestra": "/usr/share/orc/pluck.csd",
   "csound_instrument": 3},
  {"id": 3, "name": "Plain", "instrument": "synth", "preset": "sine"}]})";

Document parsed(const std::string& text) {
    LoadResult result = parse_document(text, "song.json");
    std::string errors;
    for (const LoadError& e : result.errors) errors += e.to_string() + "\n";
    EXPECT_TRUE(result.document.has_value()) << errors;
    return result.document ? *result.document : Document();
}

std::string only_error(const std::string& text) {
    LoadResult result = parse_document(text, "song.json");
    EXPECT_FALSE(result.document.has_value());
    EXPECT_EQ(result.errors.size(), 1u);
    return result.errors.empty() ? std::string() : result.errors.front().to_string();
}

TEST(CsoundTrackJson, orchestra_and_instrument_are_read_as_written) {
    const Document doc = parsed(kSong);
    ASSERT_EQ(doc.tracks.size(), 3u);
    EXPECT_EQ(doc.tracks[0].instrument, "csound");
    EXPECT_EQ(doc.tracks[0].orchestra, "orchestras/bell.orc");
    EXPECT_EQ(doc.tracks[0].csound_instrument, "Bell");
    EXPECT_EQ(doc.tracks[1].orchestra, "/usr/share/orc/pluck.csd");
    EXPECT_EQ(doc.tracks[1].csound_instrument, "3");  // a number is kept as its text
    EXPECT_EQ(doc.tracks[2].orchestra, "");
    EXPECT_EQ(doc.tracks[2].csound_instrument, "");
}

TEST(CsoundTrackJson, a_csound_track_round_trips_and_other_tracks_gain_no_fields) {
    Document doc = parsed(kSong);
    doc.tracks[2].csound_instrument = "007";  // not a canonical number: stays a string
    const std::string text = document_to_string(doc);
    EXPECT_NE(text.find(R"("orchestra": "orchestras/bell.orc")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("csound_instrument": "Bell")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("csound_instrument": 3)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("csound_instrument": "007")"), std::string::npos) << text;
    EXPECT_EQ(parsed(text), doc);
    EXPECT_EQ(document_to_string(parsed(text)), text);

    Document plain;
    plain.tracks.push_back(Track{});
    plain.tracks[0].id = 1;
    const std::string plain_text = document_to_string(plain);
    EXPECT_EQ(plain_text.find("orchestra"), std::string::npos) << plain_text;
    EXPECT_EQ(plain_text.find("csound_instrument"), std::string::npos) << plain_text;
}

TEST(CsoundTrackJson, a_wrong_type_is_refused_at_its_json_path) {
    EXPECT_EQ(only_error(R"({"format": "tactus", "version": 1, "tracks": [
                  {"id": 1, "instrument": "csound", "orchestra": 5, "csound_instrument": 1}]})"),
              "song.json: /tracks/0/orchestra: must be a non-empty string (got 5)");
    EXPECT_EQ(only_error(R"({"format": "tactus", "version": 1, "tracks": [
                  {"id": 1, "instrument": "csound", "orchestra": "", "csound_instrument": 1}]})"),
              "song.json: /tracks/0/orchestra: must be a non-empty string (got a string \"\")");
    EXPECT_EQ(only_error(R"({"format": "tactus", "version": 1, "tracks": [
                  {"id": 1, "instrument": "csound", "orchestra": "a.orc", "csound_instrument": 0}]})"),
              "song.json: /tracks/0/csound_instrument: must be a positive integer (got 0)");
    EXPECT_EQ(only_error(R"({"format": "tactus", "version": 1, "tracks": [
                  {"id": 1, "instrument": "csound", "orchestra": "a.orc", "csound_instrument": 1.5}]})"),
              "song.json: /tracks/0/csound_instrument: must be an integer (got 1.5)");
    EXPECT_EQ(only_error(R"({"format": "tactus", "version": 1, "tracks": [
                  {"id": 1, "instrument": "csound", "orchestra": "a.orc", "csound_instrument": ["Bell"]}]})"),
              "song.json: /tracks/0/csound_instrument: must be a non-empty string (got an array)");
}

TEST(CsoundTrackJson, orchestra_names_resolve_against_the_documents_directory) {
    EXPECT_EQ(document_directory("songs/a.json"), "songs");
    EXPECT_EQ(document_directory("/home/u/songs/a.json"), "/home/u/songs");
    EXPECT_EQ(document_directory("a.json"), ".");
    EXPECT_EQ(resolve_document_file("bell.orc", "songs"), "songs/bell.orc");
    EXPECT_EQ(resolve_document_file("../orc/bell.orc", "/home/u/songs"), "/home/u/orc/bell.orc");
    EXPECT_EQ(resolve_document_file("/opt/orc/bell.orc", "/home/u/songs"), "/opt/orc/bell.orc");
    EXPECT_EQ(resolve_document_file("bell.orc", "."), "bell.orc");
    EXPECT_EQ(resolve_document_file("", "songs"), "");

    Document doc = parsed(kSong);
    resolve_document_files(doc, "/home/u/songs");
    EXPECT_EQ(doc.tracks[0].orchestra, "/home/u/songs/orchestras/bell.orc");
    EXPECT_EQ(doc.tracks[1].orchestra, "/usr/share/orc/pluck.csd");
    EXPECT_EQ(doc.tracks[2].orchestra, "");
}

}  // namespace
}  // namespace tactus
