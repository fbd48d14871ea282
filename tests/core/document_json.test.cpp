// The JSON document format: round trips and validation (docs/document-format.md).
#include "core/document_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace tactus {
namespace {

using nlohmann::json;

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string describe(const std::vector<LoadError>& errors) {
    std::string out;
    for (const auto& e : errors) out += "  " + e.to_string() + "\n";
    return out;
}

// A valid document that each error test breaks in one place.
json valid_song() {
    return json::parse(R"({
      "format": "tactus", "version": 1, "title": "Demo", "revision": 3,
      "tempo": [{"beat": 0, "bpm": 120}, {"beat": 16, "bpm": 120, "ramp": true}, {"beat": 24, "bpm": 90}],
      "meter": [{"bar": 0, "numerator": 4, "denominator": 4}, {"bar": 8, "numerator": 7, "denominator": 8}],
      "markers": [{"beat": 0, "name": "Intro"}],
      "tracks": [
        {"id": 1, "name": "Piano", "instrument": "synth", "preset": "pluck",
         "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60},
                   {"id": 2, "start": 1, "length": 0.5, "pitch": 64}],
         "controllers": [{"beat": 0, "kind": "cc", "number": 64, "value": 127}]},
        {"id": 2, "name": "Drums",
         "notes": [{"id": 3, "start": 0, "length": 0, "pitch": 36}]}
      ]})");
}

// Parses `text` expecting it to be refused; returns the problems.
std::vector<LoadError> errors_in_text(const std::string& text) {
    LoadResult result = parse_document(text, "song.json");
    EXPECT_FALSE(result.document.has_value()) << "accepted:\n" << text;
    return result.errors;
}

std::vector<LoadError> errors_of(const json& doc) {
    return errors_in_text(doc.dump());
}

// The one problem expected in `doc`.
LoadError only_error_in_text(const std::string& text) {
    const auto errors = errors_in_text(text);
    EXPECT_EQ(errors.size(), 1u) << describe(errors);
    return errors.empty() ? LoadError{} : errors.front();
}

LoadError only_error(const json& doc) {
    return only_error_in_text(doc.dump());
}

Document parse_ok(const std::string& text) {
    LoadResult result = parse_document(text, "song.json");
    EXPECT_TRUE(result.errors.empty()) << describe(result.errors);
    EXPECT_TRUE(result.document.has_value());
    return result.document.value_or(Document());
}

Document rich_document() {
    Document doc;
    doc.title = "Études — ramps & \"quotes\"";
    doc.revision = 42;
    std::string error;
    doc.tempo = TempoMap::from_points({{0.0, 120.0, false},
                                       {16.0, 120.0, true},
                                       {24.0, 90.5, true},
                                       {32.25, 1000.0, false},
                                       {40.0, 1.0, false}},
                                      &error)
                    .value();
    doc.meter = {{0, 4, 4}, {4, 7, 8}, {9, 3, 2}, {12, 64, 64}};
    doc.markers = {{0.0, "Intro"}, {16.0, "Accelerando"}, {1.0 / 3.0, ""}};
    Track piano;
    piano.id = 7;
    piano.name = "Piano";
    piano.preset = "pluck";
    piano.level = 0.8;
    piano.pan = -0.2;
    piano.notes = {{1, 0.0, 1.0, 60, 0.0, 100},
                   {2, 0.1 + 0.2, 2.0 / 3.0, 127, -13.7, 1},
                   {3, 4.0, 0.0, 0, 100.0, 127},      // zero length: a trigger
                   {99, 1e-9, 1e6, 64, -100.0, 64}};  // tiny start, longest length
    piano.controllers = {{0.0, ControllerKind::ControlChange, 64, 127.0},
                         {1.5, ControllerKind::PitchBend, 0, -0.25},
                         {2.0, ControllerKind::ProgramChange, 12, 0.0},
                         {3.0, ControllerKind::ChannelPressure, 0, 63.5}};
    Track drums;
    drums.id = 3;
    drums.name = "Drums";
    drums.instrument = "soundfont";
    drums.preset = "kit";
    drums.level = 4.0;
    drums.pan = 1.0;
    drums.mute = true;
    drums.solo = true;
    drums.notes = {{18446744073709551615ull, 0.0, 0.0, 36, 0.0, 110}};  // the largest id
    Track empty;
    empty.id = 4;
    // Mixer routing: a send each way, a bus with an insert (and a plugin state), a master chain.
    piano.sends = {{11, 0.35, false}, {12, 4.0, true}};
    drums.inserts = {{"urn:example:eq", {{"gain", -3.5}}, true, "@prefix : <urn:x#> .\n"}};
    Bus reverb;
    reverb.id = 11;
    reverb.name = "Reverb";
    reverb.inserts = {{"urn:example:reverb", {{"size", 0.75}}, false, {}}};
    reverb.level = 0.5;
    reverb.pan = -0.25;
    Bus echo;
    echo.id = 12;
    echo.mute = true;
    echo.solo = true;
    doc.buses = {reverb, echo};
    doc.master_inserts = {{"urn:example:limiter", {}, false, {}}};
    doc.tracks = {piano, drums, empty};
    return doc;
}

// ---------------------------------------------------------------------------------------------
// Round trips and writing

TEST(DocumentJson, rich_document_round_trips_equal) {
    const Document doc = rich_document();
    EXPECT_EQ(parse_ok(document_to_string(doc)), doc);
    EXPECT_EQ(parse_ok(document_to_json(doc).dump()), doc);
}

TEST(DocumentJson, doubles_round_trip_bit_exactly) {
    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<double> beat(0.0, kMaxDocumentBeat);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    Document doc;
    Track track;
    track.id = 1;
    for (NoteId id = 1; id <= 2000; ++id) {
        Note n;
        n.id = id;
        n.start = id % 3 == 0 ? beat(rng) : beat(rng) / 1e6;
        n.length = std::ldexp(std::fabs(unit(rng)), -int(id % 60));
        n.cents = 100.0 * unit(rng);
        track.notes.push_back(n);
    }
    // Awkward values: the smallest subnormal, the largest double below the limit, 2^53 + 2.
    track.notes[0].start = std::numeric_limits<double>::denorm_min();
    track.notes[1].start = std::nextafter(kMaxDocumentBeat, 0.0);
    track.notes[2].length = std::numeric_limits<double>::min();
    track.level = 0.1;
    track.pan = std::nextafter(-1.0, 0.0);
    doc.tracks.push_back(track);

    const Document back = parse_ok(document_to_string(doc));
    ASSERT_EQ(back.tracks.size(), 1u);
    ASSERT_EQ(back.tracks[0].notes.size(), track.notes.size());
    for (std::size_t i = 0; i < track.notes.size(); ++i) {
        const Note& a = track.notes[i];
        const Note& b = back.tracks[0].notes[i];
        EXPECT_EQ(std::memcmp(&a.start, &b.start, sizeof(double)), 0)
            << i << ": " << a.start << " vs " << b.start;
        EXPECT_EQ(std::memcmp(&a.length, &b.length, sizeof(double)), 0) << i;
        EXPECT_EQ(std::memcmp(&a.cents, &b.cents, sizeof(double)), 0) << i;
    }
    EXPECT_EQ(back, doc);
}

TEST(DocumentJson, text_is_stable_ordered_one_event_per_line_and_ends_with_newline) {
    const Document doc = rich_document();
    const std::string text = document_to_string(doc);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(document_to_string(parse_ok(text)), text);
    EXPECT_EQ(text.rfind("{\n  \"format\": \"tactus\",\n  \"version\": 1,\n  \"title\": ", 0), 0u) << text;
    EXPECT_TRUE(contains(text,
                         "\n        {\"id\": 1, \"start\": 0, \"length\": 1, \"pitch\": 60, \"cents\": 0, "
                         "\"velocity\": 100},\n"))
        << text;
    EXPECT_TRUE(contains(text, "{\"beat\": 16, \"bpm\": 120, \"ramp\": true}"));
    EXPECT_TRUE(contains(text, "{\"beat\": 1.5, \"kind\": \"pitch_bend\", \"number\": 0, \"value\": -0.25}"));
    EXPECT_TRUE(contains(text, "\"notes\": [],\n"));  // the empty track
}

TEST(DocumentJson, json_value_holds_every_field) {
    const json j = document_to_json(rich_document());
    EXPECT_EQ(j["format"], "tactus");
    EXPECT_EQ(j["version"], kDocumentFormatVersion);
    EXPECT_EQ(j["tracks"][0]["notes"][2]["length"], 0);
    EXPECT_EQ(j["tracks"][0]["controllers"][2]["kind"], "program");
    EXPECT_EQ(j["tracks"][1]["notes"][0]["id"], 18446744073709551615ull);
    EXPECT_EQ(j["tempo"][1]["ramp"], true);
}

TEST(DocumentJson, minimal_document_gets_the_score_defaults) {
    EXPECT_EQ(parse_ok(R"({"format": "tactus", "version": 1})"), Document());

    const Document doc = parse_ok(R"({"format": "tactus", "version": 1, "tracks": [
        {"id": 5, "notes": [{"id": 1, "start": 2, "length": 0.5, "pitch": 61}],
         "controllers": [{"beat": 1, "kind": "pressure", "value": 10}]}]})");
    Track expected;
    expected.id = 5;
    expected.notes = {{1, 2.0, 0.5, 61, 0.0, 100}};
    expected.controllers = {{1.0, ControllerKind::ChannelPressure, 0, 10.0}};
    ASSERT_EQ(doc.tracks.size(), 1u);
    EXPECT_EQ(doc.tracks[0], expected);
    EXPECT_EQ(doc.tracks[0].instrument, "synth");
    EXPECT_EQ(doc.tracks[0].preset, "sine");
    EXPECT_EQ(doc.tempo, TempoMap(120.0));
    EXPECT_EQ(doc.meter, (std::vector<TimeSignature>{{0, 4, 4}}));
}

TEST(DocumentJson, unknown_fields_are_ignored_everywhere) {
    json j = valid_song();
    j["comment"] = "mixed on Tuesday";
    j["tracks"][0]["colour"] = "#ff0000";
    j["tracks"][0]["notes"][0]["_note"] = {{"anything", {1, 2, 3}}};
    j["tempo"][0]["swing"] = 0.1;
    Document expected = parse_ok(valid_song().dump());
    EXPECT_EQ(parse_ok(j.dump()), expected);
}

TEST(DocumentJson, whole_numbers_written_with_a_fraction_are_integers) {
    json j = valid_song();
    j["tracks"][0]["notes"][0]["pitch"] = 62.0;
    j["tracks"][0]["notes"][0]["id"] = 10.0;
    j["meter"][0]["denominator"] = 8.0;
    const Document doc = parse_ok(j.dump());
    EXPECT_EQ(doc.tracks[0].notes[0].pitch, 62);
    EXPECT_EQ(doc.tracks[0].notes[0].id, 10u);
    EXPECT_EQ(doc.meter[0].denominator, 8);
}

TEST(DocumentJson, utf8_byte_order_mark_is_accepted) {
    EXPECT_EQ(parse_ok("\xEF\xBB\xBF{\"format\": \"tactus\", \"version\": 1}"), Document());
}

// ---------------------------------------------------------------------------------------------
// Notes

TEST(DocumentJsonErrors, negative_note_length_names_its_path) {
    json j = valid_song();
    j["tracks"][1]["notes"][0]["length"] = -1;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.file, "song.json");
    EXPECT_EQ(e.json_path, "/tracks/1/notes/0/length");
    EXPECT_EQ(e.message, "must be >= 0 (got -1)");
    EXPECT_EQ(e.to_string(), "song.json: /tracks/1/notes/0/length: must be >= 0 (got -1)");
}

TEST(DocumentJsonErrors, zero_note_length_is_a_trigger_not_an_error) {
    const Document doc = parse_ok(valid_song().dump());
    EXPECT_EQ(doc.tracks[1].notes[0].length, 0.0);
}

TEST(DocumentJsonErrors, negative_note_start_is_refused) {
    json j = valid_song();
    j["tracks"][0]["notes"][1]["start"] = -0.5;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tracks/0/notes/1/start");
    EXPECT_TRUE(contains(e.message, "must be >= 0 (got -0.5)"));
}

TEST(DocumentJsonErrors, note_start_beyond_the_largest_beat_is_refused) {
    json j = valid_song();
    j["tracks"][0]["notes"][1]["start"] = 1e300;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tracks/0/notes/1/start");
    EXPECT_TRUE(contains(e.message, "must be <= 1000000"));
}

TEST(DocumentJsonErrors, number_too_large_to_represent_is_not_finite) {
    // nlohmann refuses such a number while parsing; the error still names the member and its place.
    const std::string text =
        "{\"format\": \"tactus\", \"version\": 1, \"tracks\": [{\"id\": 1, \"notes\": [\n"
        "  {\"id\": 1, \"start\": 1e999, \"length\": 1, \"pitch\": 60}]}]}";
    const LoadError e = only_error_in_text(text);
    EXPECT_EQ(e.json_path, "/tracks/0/notes/0/start");
    EXPECT_EQ(e.message, "must be a finite number (got 1e999, too large to represent)");
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.column, 22);  // where the number starts
    EXPECT_EQ(e.to_string(), "song.json:2:22: /tracks/0/notes/0/start: " + e.message);

    const LoadError in_array = only_error_in_text("{\"format\": \"tactus\", \"x\": [1, 2, -1e999]}");
    EXPECT_EQ(in_array.json_path, "/x/2");
    EXPECT_TRUE(contains(in_array.message, "got -1e999"));
}

TEST(DocumentJsonErrors, pitch_must_be_an_integer_within_midi_range) {
    json j = valid_song();
    j["tracks"][0]["notes"][0]["pitch"] = 128;
    LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tracks/0/notes/0/pitch");
    EXPECT_EQ(e.message, "must be an integer within 0..127 (got 128)");

    j["tracks"][0]["notes"][0]["pitch"] = -1;
    EXPECT_EQ(only_error(j).message, "must be an integer within 0..127 (got -1)");

    j["tracks"][0]["notes"][0]["pitch"] = 60.5;
    EXPECT_EQ(only_error(j).message, "must be an integer (got 60.5)");

    j["tracks"][0]["notes"][0]["pitch"] = "C4";
    EXPECT_EQ(only_error(j).message, "must be an integer (got a string \"C4\")");
}

TEST(DocumentJsonErrors, velocity_must_be_within_1_to_127) {
    json j = valid_song();
    j["tracks"][0]["notes"][1]["velocity"] = 0;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tracks/0/notes/1/velocity");
    EXPECT_EQ(e.message, "must be an integer within 1..127 (got 0)");
}

TEST(DocumentJsonErrors, cents_must_be_within_a_semitone) {
    json j = valid_song();
    j["tracks"][0]["notes"][1]["cents"] = 100.5;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tracks/0/notes/1/cents");
    EXPECT_EQ(e.message, "must be within -100..100 (got 100.5)");
}

TEST(DocumentJsonErrors, note_id_must_be_positive) {
    json j = valid_song();
    j["tracks"][0]["notes"][0]["id"] = 0;
    EXPECT_EQ(only_error(j).message, "must be a positive integer (got 0)");
    j["tracks"][0]["notes"][0]["id"] = -4;
    EXPECT_EQ(only_error(j).message, "must be a positive integer (got -4)");
    j["tracks"][0]["notes"][0]["id"] = 1.5;
    EXPECT_EQ(only_error(j).json_path, "/tracks/0/notes/0/id");
}

TEST(DocumentJsonErrors, note_id_must_be_unique_across_tracks) {
    json j = valid_song();
    j["tracks"][1]["notes"][0]["id"] = 2;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tracks/1/notes/0/id");
    EXPECT_TRUE(contains(e.message, "duplicate note id 2"));
    EXPECT_TRUE(contains(e.message, "/tracks/0/notes/1/id"));
}

TEST(DocumentJsonErrors, missing_required_note_fields_are_each_named) {
    json j = valid_song();
    j["tracks"][0]["notes"][1] = json::object();
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 4u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/notes/1/id");
    EXPECT_EQ(errors[1].json_path, "/tracks/0/notes/1/start");
    EXPECT_EQ(errors[2].json_path, "/tracks/0/notes/1/length");
    EXPECT_EQ(errors[3].json_path, "/tracks/0/notes/1/pitch");
    for (const auto& e : errors) EXPECT_EQ(e.message, "required field is missing");
}

TEST(DocumentJsonErrors, note_that_is_not_an_object_is_refused) {
    json j = valid_song();
    j["tracks"][0]["notes"][1] = json::array({1, 2});
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tracks/0/notes/1");
    EXPECT_EQ(e.message, "must be an object (got an array)");
}

// ---------------------------------------------------------------------------------------------
// Tracks

TEST(DocumentJsonErrors, track_id_must_be_unique) {
    json j = valid_song();
    j["tracks"][1]["id"] = 1;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tracks/1/id");
    EXPECT_EQ(e.message, "duplicate track id 1 (already used by /tracks/0)");
}

TEST(DocumentJsonErrors, a_send_names_a_bus_of_the_document_once) {
    json j = valid_song();
    j["buses"] = json::parse(R"([{"id": 5, "name": "Reverb"}, {"id": 6}])");
    j["tracks"][0]["sends"] = json::parse(R"([{"bus": 5, "level": 0.5}, {"bus": 9}, {"bus": 5}])");
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 2u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/sends/1/bus");
    EXPECT_EQ(errors[0].message, "no bus with id 9 (the document's buses: 5, 6)");
    EXPECT_EQ(errors[1].json_path, "/tracks/0/sends/2/bus");
    EXPECT_EQ(errors[1].message, "the track already sends to bus 5");
}

TEST(DocumentJsonErrors, bus_ids_are_unique_and_levels_in_range) {
    json j = valid_song();
    j["buses"] = json::parse(R"([{"id": 5, "level": 5}, {"id": 5}])");
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 2u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/buses/0/level");
    EXPECT_EQ(errors[1].json_path, "/buses/1/id");
    EXPECT_EQ(errors[1].message, "duplicate bus id 5 (already used by /buses/0)");
}

TEST(DocumentJsonErrors, track_level_and_pan_ranges) {
    json j = valid_song();
    j["tracks"][0]["level"] = 4.5;
    j["tracks"][1]["pan"] = -1.5;
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 2u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/level");
    EXPECT_EQ(errors[0].message, "must be within 0..4 (got 4.5)");
    EXPECT_EQ(errors[1].json_path, "/tracks/1/pan");
    EXPECT_EQ(errors[1].message, "must be within -1..1 (got -1.5)");
}

TEST(DocumentJsonErrors, track_instrument_and_preset_are_non_empty_strings) {
    json j = valid_song();
    j["tracks"][0]["instrument"] = "";
    j["tracks"][0]["preset"] = 3;
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 2u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/instrument");
    EXPECT_EQ(errors[0].message, "must be a non-empty string (got a string \"\")");
    EXPECT_EQ(errors[1].json_path, "/tracks/0/preset");
    EXPECT_EQ(errors[1].message, "must be a non-empty string (got 3)");
}

TEST(DocumentJsonErrors, unknown_preset_is_left_for_the_engine) {
    json j = valid_song();
    j["tracks"][0]["preset"] = "no-such-preset";
    EXPECT_EQ(parse_ok(j.dump()).tracks[0].preset, "no-such-preset");
}

TEST(DocumentJsonErrors, wrong_types_name_the_expected_type) {
    json j = valid_song();
    j["title"] = 5;
    j["revision"] = -1;
    j["tracks"][0]["mute"] = "yes";
    j["tracks"][1]["notes"] = json::object();
    j["markers"] = "none";
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 5u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/title");
    EXPECT_EQ(errors[0].message, "must be a string (got 5)");
    EXPECT_EQ(errors[1].json_path, "/revision");
    EXPECT_EQ(errors[1].message, "must be an integer >= 0 (got -1)");
    EXPECT_EQ(errors[2].json_path, "/markers");
    EXPECT_EQ(errors[2].message, "must be an array (got a string \"none\")");
    EXPECT_EQ(errors[3].json_path, "/tracks/0/mute");
    EXPECT_EQ(errors[3].message, "must be true or false (got a string \"yes\")");
    EXPECT_EQ(errors[4].json_path, "/tracks/1/notes");
    EXPECT_EQ(errors[4].message, "must be an array (got an object)");
}

// ---------------------------------------------------------------------------------------------
// Tempo

TEST(DocumentJsonErrors, tempo_must_not_be_empty) {
    json j = valid_song();
    j["tempo"] = json::array();
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tempo");
    EXPECT_TRUE(contains(e.message, "at least one tempo point"));
}

TEST(DocumentJsonErrors, first_tempo_point_must_be_at_beat_zero) {
    json j = valid_song();
    j["tempo"][0]["beat"] = 1;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tempo/0/beat");
    EXPECT_EQ(e.message, "the first tempo point must be at beat 0 (got 1)");
}

TEST(DocumentJsonErrors, tempo_beats_must_increase_strictly) {
    json j = valid_song();
    j["tempo"][2]["beat"] = 16;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tempo/2/beat");
    EXPECT_EQ(e.message, "must be greater than the previous point's beat 16 (got 16)");
}

TEST(DocumentJsonErrors, zero_negative_and_absurd_tempos_are_refused) {
    for (const double bpm : {0.0, -120.0, 1e9, 0.5, 1000.5}) {
        json j = valid_song();
        j["tempo"][1]["bpm"] = bpm;
        const LoadError e = only_error(j);
        EXPECT_EQ(e.json_path, "/tempo/1/bpm") << bpm;
        EXPECT_TRUE(contains(e.message, "must be within 1..1000 (got ")) << bpm;
    }
    json j = valid_song();
    j["tempo"][1]["bpm"] = "@";
    std::string text = j.dump();
    text.replace(text.find("\"@\""), 3, "1e999");
    const LoadError e = only_error_in_text(text);
    EXPECT_EQ(e.json_path, "/tempo/1/bpm");
    EXPECT_TRUE(contains(e.message, "must be a finite number"));
}

TEST(DocumentJsonErrors, tempo_limits_are_inclusive) {
    json j = valid_song();
    j["tempo"][1]["bpm"] = TempoMap::kMinBpm;
    j["tempo"][2]["bpm"] = TempoMap::kMaxBpm;
    EXPECT_EQ(parse_ok(j.dump()).tempo.points()[2].bpm, TempoMap::kMaxBpm);
}

TEST(DocumentJsonErrors, last_tempo_point_cannot_ramp) {
    json j = valid_song();
    j["tempo"][2]["ramp"] = true;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tempo/2/ramp");
    EXPECT_TRUE(contains(e.message, "the last tempo point cannot ramp"));
}

TEST(DocumentJsonErrors, tempo_point_fields_are_required) {
    json j = valid_song();
    j["tempo"][1].erase("bpm");
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/tempo/1/bpm");
    EXPECT_EQ(e.message, "required field is missing");
}

TEST(DocumentJsonErrors, tempo_map_messages_map_to_the_point_they_name) {
    auto path_of = [](std::vector<TempoPoint> points) {
        std::string error;
        EXPECT_FALSE(TempoMap::from_points(std::move(points), &error).has_value());
        return detail::tempo_error_path(error);
    };
    EXPECT_EQ(path_of({}), "/tempo");
    EXPECT_EQ(path_of({{1.0, 120.0, false}}), "/tempo/0/beat");
    EXPECT_EQ(path_of({{0.0, 120.0, false}, {4.0, 0.0, false}}), "/tempo/1/bpm");
    EXPECT_EQ(path_of({{0.0, 120.0, false}, {4.0, 100.0, false}, {4.0, 90.0, false}}), "/tempo/2/beat");
    EXPECT_EQ(path_of({{0.0, 120.0, false}, {4.0, 100.0, true}}), "/tempo/1/ramp");
    EXPECT_EQ(path_of({{0.0, std::numeric_limits<double>::infinity(), false}}), "/tempo/0/bpm");
}

// ---------------------------------------------------------------------------------------------
// Meter, markers, controllers

TEST(DocumentJsonErrors, meter_starts_at_bar_zero_and_increases) {
    json j = valid_song();
    j["meter"][0]["bar"] = 2;
    j["meter"][1]["bar"] = 2;
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 2u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/meter/0/bar");
    EXPECT_EQ(errors[0].message, "the first meter entry must be at bar 0 (got 2)");
    EXPECT_EQ(errors[1].json_path, "/meter/1/bar");
    EXPECT_EQ(errors[1].message, "must be greater than the previous entry's bar 2 (got 2)");
}

TEST(DocumentJsonErrors, meter_numerator_and_denominator_ranges) {
    json j = valid_song();
    j["meter"][0]["numerator"] = 0;
    j["meter"][1]["numerator"] = 65;
    j["meter"][1]["denominator"] = 6;
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 3u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/meter/0/numerator");
    EXPECT_EQ(errors[0].message, "must be an integer within 1..64 (got 0)");
    EXPECT_EQ(errors[1].json_path, "/meter/1/numerator");
    EXPECT_EQ(errors[1].message, "must be an integer within 1..64 (got 65)");
    EXPECT_EQ(errors[2].json_path, "/meter/1/denominator");
    EXPECT_EQ(errors[2].message, "must be a power of two within 1..64 (got 6)");

    j = valid_song();
    j["meter"][0]["denominator"] = 128;
    EXPECT_EQ(only_error(j).message, "must be an integer within 1..64 (got 128)");
    j["meter"] = json::array();
    EXPECT_EQ(only_error(j).json_path, "/meter");
}

TEST(DocumentJsonErrors, marker_beat_and_name) {
    json j = valid_song();
    j["markers"].push_back({{"beat", -2}, {"name", 7}});
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 2u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/markers/1/beat");
    EXPECT_EQ(errors[0].message, "must be >= 0 (got -2)");
    EXPECT_EQ(errors[1].json_path, "/markers/1/name");
}

TEST(DocumentJsonErrors, controller_kind_number_and_value) {
    json j = valid_song();
    auto& c = j["tracks"][0]["controllers"];
    c.push_back({{"beat", 1}, {"kind", "aftertouch"}, {"value", 1}});
    c.push_back({{"beat", 2}, {"kind", "cc"}, {"value", 200}});
    c.push_back({{"beat", 3}, {"kind", "pitch_bend"}, {"value", 1.5}});
    c.push_back({{"beat", 4}, {"kind", "program"}, {"number", 128}});
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 5u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/controllers/1/kind");
    EXPECT_EQ(
        errors[0].message,
        "must be one of \"cc\", \"pitch_bend\", \"program\", \"pressure\" (got a string \"aftertouch\")");
    EXPECT_EQ(errors[1].json_path, "/tracks/0/controllers/2/number");
    EXPECT_EQ(errors[1].message, "required field is missing");
    EXPECT_EQ(errors[2].json_path, "/tracks/0/controllers/2/value");
    EXPECT_EQ(errors[2].message, "must be within 0..127 (got 200)");
    EXPECT_EQ(errors[3].json_path, "/tracks/0/controllers/3/value");
    EXPECT_EQ(errors[3].message, "must be within -1..1 (got 1.5)");
    EXPECT_EQ(errors[4].json_path, "/tracks/0/controllers/4/number");
    EXPECT_EQ(errors[4].message, "must be an integer within 0..127 (got 128)");
}

// ---------------------------------------------------------------------------------------------
// Automation

// rich_document() with lanes of its tracks (7, 3, 4), buses (11, 12) and a send, every shape among them.
Document with_automation() {
    Document doc = rich_document();
    using enum AutomationOwner;
    doc.automation = {
        {{Track, 3, "pan"}, {{0, -1, AutomationShape::Linear}}},
        {{Track, 7, "level"},
         {{0, 1, AutomationShape::Hold},
          {4, 0.5, AutomationShape::Linear},
          {4, 2.5, AutomationShape::Smooth},
          {1.0 / 3.0 + 8, 4, AutomationShape::Linear}}},
        {{Track, 7, "send:12"}, {{2, 0, AutomationShape::Smooth}, {1e6, 0.1 + 0.2, AutomationShape::Hold}}},
        {{Bus, 11, "pan"}, {{16, 0.75, AutomationShape::Smooth}}}};
    return doc;
}

TEST(DocumentJson, automation_lanes_round_trip_with_every_shape) {
    const Document doc = with_automation();
    const std::string text = document_to_string(doc);
    EXPECT_EQ(parse_ok(text), doc);
    EXPECT_EQ(parse_ok(document_to_json(doc).dump()), doc);
    EXPECT_EQ(document_to_string(parse_ok(text)), text);
    EXPECT_TRUE(contains(text,
                         "  \"automation\": [\n    {\n      \"owner\": \"track\",\n      \"id\": 3,\n"
                         "      \"control\": \"pan\",\n      \"points\": [\n"
                         "        {\"beat\": 0, \"value\": -1, \"shape\": \"linear\"}\n      ]\n    },\n"))
        << text;
    EXPECT_TRUE(contains(text, "{\"beat\": 0, \"value\": 1, \"shape\": \"hold\"},\n"));
    EXPECT_TRUE(contains(text, "{\"beat\": 4, \"value\": 2.5, \"shape\": \"smooth\"},\n"));
    EXPECT_TRUE(contains(text, "\"owner\": \"bus\",\n      \"id\": 11,"));
    const json j = document_to_json(doc);
    EXPECT_EQ(j["automation"][2]["control"], "send:12");
    EXPECT_EQ(j["automation"][2]["points"][1]["beat"], 1000000);

    // A document without lanes is written as before: no "automation" key at all.
    EXPECT_FALSE(contains(document_to_string(rich_document()), "automation"));
    EXPECT_FALSE(document_to_json(rich_document()).contains("automation"));
}

TEST(DocumentJson, automation_shape_defaults_to_linear_and_lanes_and_points_are_put_in_order) {
    json j = valid_song();
    j["buses"] = json::parse(R"([{"id": 5}])");
    j["automation"] = json::parse(R"([
        {"owner": "bus", "id": 5, "control": "level", "points": [{"beat": 0, "value": 0.5}]},
        {"owner": "track", "id": 2, "control": "send:5",
         "points": [{"beat": 8, "value": 1}, {"beat": 2, "value": 3, "shape": "smooth"},
                    {"beat": 2, "value": 0, "shape": "hold"}]},
        {"owner": "track", "id": 1, "control": "pan", "points": [{"beat": 0, "value": -0.5}]}])");
    const Document doc = parse_ok(j.dump());
    using enum AutomationOwner;
    EXPECT_EQ(doc.automation,
              (std::vector<AutomationLane>{{{Track, 1, "pan"}, {{0, -0.5, AutomationShape::Linear}}},
                                           {{Track, 2, "send:5"},
                                            {{2, 3, AutomationShape::Smooth},
                                             {2, 0, AutomationShape::Hold},
                                             {8, 1, AutomationShape::Linear}}},
                                           {{Bus, 5, "level"}, {{0, 0.5, AutomationShape::Linear}}}}))
        << "track 2 has no send to bus 5: its lane loads (and stays silent)";
}

TEST(DocumentJsonErrors, automation_points_name_their_value_beat_and_shape) {
    json j = valid_song();
    j["automation"] = json::parse(R"([
        {"owner": "track", "id": 1, "control": "level",
         "points": [{"beat": 0, "value": 1}, {"beat": 2, "value": 5}, {"beat": -1, "value": 0.5},
                    {"beat": 3, "value": 1, "shape": "curvy"}, {"value": 1}, {"beat": 4, "value": "loud"}]},
        {"owner": "track", "id": 2, "control": "pan", "points": [{"beat": 0, "value": -1.5}]},
        {"owner": "track", "id": 2, "control": "level", "points": []},
        {"owner": "track", "id": 1, "control": "pan"}])");
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 8u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/automation/0/points/1/value");
    EXPECT_EQ(errors[0].message, "must be within 0..4 (got 5)");
    EXPECT_EQ(errors[1].json_path, "/automation/0/points/2/beat");
    EXPECT_EQ(errors[1].message, "must be >= 0 (got -1)");
    EXPECT_EQ(errors[2].json_path, "/automation/0/points/3/shape");
    EXPECT_EQ(errors[2].message, "must be one of \"hold\", \"linear\", \"smooth\" (got a string \"curvy\")");
    EXPECT_EQ(errors[3].json_path, "/automation/0/points/4/beat");
    EXPECT_EQ(errors[3].message, "required field is missing");
    EXPECT_EQ(errors[4].json_path, "/automation/0/points/5/value");
    EXPECT_EQ(errors[4].message, "must be a number (got a string \"loud\")");
    EXPECT_EQ(errors[5].json_path, "/automation/1/points/0/value");
    EXPECT_EQ(errors[5].message, "must be within -1..1 (got -1.5)");
    EXPECT_EQ(errors[6].json_path, "/automation/2/points");
    EXPECT_EQ(errors[6].message, "must contain at least one point (a lane without points is left out)");
    EXPECT_EQ(errors[7].json_path, "/automation/3/points");
    EXPECT_EQ(errors[7].message, "required field is missing");
}

TEST(DocumentJsonErrors, automation_targets_name_a_missing_owner_id_or_control_and_a_second_lane) {
    json j = valid_song();
    j["buses"] = json::parse(R"([{"id": 5}])");
    j["automation"] = json::parse(R"([
        {"owner": "track", "id": 1, "control": "level", "points": [{"beat": 0, "value": 1}]},
        {"owner": "track", "id": 9, "control": "pan", "points": [{"beat": 0, "value": 0}]},
        {"owner": "bus", "id": 6, "control": "pan", "points": [{"beat": 0, "value": 0}]},
        {"owner": "group", "id": 1, "control": "pan", "points": [{"beat": 0, "value": 0}]},
        {"owner": "track", "id": 2, "control": "volume", "points": [{"beat": 0, "value": 0}]},
        {"owner": "bus", "id": 5, "control": "send:5", "points": [{"beat": 0, "value": 0}]},
        {"owner": "track", "id": 2, "control": "send:8", "points": [{"beat": 0, "value": 0}]},
        {"owner": "track", "id": 2, "control": "send:05", "points": [{"beat": 0, "value": 0}]},
        {"owner": "track", "id": 1, "control": "level", "points": [{"beat": 4, "value": 0}]},
        {"id": 0, "control": 3, "points": [{"beat": 0, "value": 0}]}])");
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 11u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/automation/1/id");
    EXPECT_EQ(errors[0].message, "no track with id 9 (the document's tracks: 1, 2)");
    EXPECT_EQ(errors[1].json_path, "/automation/2/id");
    EXPECT_EQ(errors[1].message, "no bus with id 6 (the document's buses: 5)");
    EXPECT_EQ(errors[2].json_path, "/automation/3/owner");
    EXPECT_EQ(errors[2].message, "must be \"track\", \"bus\" or \"master\" (got a string \"group\")");
    EXPECT_EQ(errors[3].json_path, "/automation/4/control");
    EXPECT_EQ(errors[3].message,
              "unknown control \"volume\" (automatable: \"level\", \"pan\", \"send:BUS_ID\")");
    EXPECT_EQ(errors[4].json_path, "/automation/5/control");
    EXPECT_EQ(errors[4].message, "a bus has no sends to automate (\"send:5\")");
    EXPECT_EQ(errors[5].json_path, "/automation/6/control");
    EXPECT_EQ(errors[5].message, "no bus with id 8 (the document's buses: 5)");
    EXPECT_EQ(errors[6].json_path, "/automation/7/control");
    EXPECT_EQ(errors[6].message,
              "unknown control \"send:05\" (automatable: \"level\", \"pan\", \"send:BUS_ID\")");
    EXPECT_EQ(errors[7].json_path, "/automation/8");
    EXPECT_EQ(errors[7].message,
              "a second lane for track 1's \"level\" (one lane per target; the first is /automation/0)");
    EXPECT_EQ(errors[8].json_path, "/automation/9/owner");
    EXPECT_EQ(errors[8].message, "required field is missing");
    EXPECT_EQ(errors[9].json_path, "/automation/9/id");
    EXPECT_EQ(errors[9].message, "must be a positive integer (got 0)");
    EXPECT_EQ(errors[10].json_path, "/automation/9/control");
    EXPECT_EQ(errors[10].message, "must be a string (got 3)");

    j["automation"] = "none";
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/automation");
    EXPECT_EQ(e.message, "must be an array (got a string \"none\")");
    j["automation"] = json::array({1});
    EXPECT_EQ(only_error(j).json_path, "/automation/0");
}

// ---------------------------------------------------------------------------------------------
// The file as a whole

TEST(DocumentJsonErrors, several_problems_are_all_reported) {
    json j = valid_song();
    j["tempo"][1]["bpm"] = 0;
    j["tracks"][0]["notes"][0]["pitch"] = 200;
    j["tracks"][1]["notes"][0]["length"] = -1;
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 3u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tempo/1/bpm");
    EXPECT_EQ(errors[1].json_path, "/tracks/0/notes/0/pitch");
    EXPECT_EQ(errors[2].json_path, "/tracks/1/notes/0/length");
}

TEST(DocumentJsonErrors, problems_stop_being_collected_at_the_cap) {
    json j = valid_song();
    for (int i = 0; i < 500; ++i)
        j["tracks"][0]["notes"].push_back({{"id", 1000 + i}, {"start", -1}, {"length", 1}, {"pitch", 60}});
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), kMaxLoadErrors + 1);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/notes/2/start");
    EXPECT_EQ(errors.back().json_path, "");
    EXPECT_TRUE(contains(errors.back().message, "stopped after 100 problems"));
}

TEST(DocumentJsonErrors, duplicate_keys_are_refused) {
    const LoadError e = only_error_in_text(R"({"format": "tactus", "version": 1, "tracks": [
        {"id": 1, "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60, "pitch": 62}]}]})");
    EXPECT_EQ(e.json_path, "/tracks/0/notes/0/pitch");
    EXPECT_TRUE(contains(e.message, "duplicate key \"pitch\""));
}

TEST(DocumentJsonErrors, malformed_json_reports_line_and_column) {
    const std::string text = "{\n  \"format\": \"tactus\",\n  \"version\": 1,,\n}\n";
    const LoadError e = only_error_in_text(text);
    EXPECT_EQ(e.json_path, "");
    EXPECT_EQ(e.line, 3);
    EXPECT_EQ(e.column, 16);  // the second comma
    EXPECT_TRUE(contains(e.message, "invalid JSON"));
    EXPECT_EQ(e.to_string().rfind("song.json:3:16: invalid JSON: ", 0), 0u) << e.to_string();
}

TEST(DocumentJsonErrors, unexpected_token_is_pointed_at_where_it_starts) {
    // A forgotten comma: the next member's name is the surprise.
    const LoadError e =
        only_error_in_text("{\n  \"format\": \"tactus\",\n  \"version\": 1\n  \"title\": \"x\"\n}\n");
    EXPECT_EQ(e.line, 4);
    EXPECT_EQ(e.column, 3);
    EXPECT_TRUE(contains(e.message, "unexpected string literal; expected '}'"));
}

TEST(DocumentJsonErrors, raw_newline_inside_a_string_is_pointed_at) {
    const LoadError e = only_error_in_text("{\"format\": \"tactus\", \"title\": \"two\nlines\"}");
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(e.column, 35);
    EXPECT_TRUE(contains(e.message, "control character"));
}

TEST(DocumentJsonErrors, comments_are_not_json) {
    const LoadError e = only_error_in_text("{\"format\": \"tactus\", // mine\n\"version\": 1}");
    EXPECT_EQ(e.column, 22);
    EXPECT_TRUE(contains(e.message, "(JSON has no comments)"));
}

TEST(DocumentJsonErrors, ill_formed_utf8_is_refused_with_a_readable_message) {
    const LoadError e = only_error_in_text("{\"format\": \"tactus\", \"title\": \"\xff\"}");
    EXPECT_TRUE(contains(e.message, "ill-formed UTF-8"));
    EXPECT_TRUE(contains(e.message, "\xEF\xBF\xBD"));  // the bad byte shown as U+FFFD
    EXPECT_FALSE(contains(e.message, "\xff"));
}

TEST(DocumentJsonErrors, malformed_json_column_counts_characters_not_bytes) {
    // "é" is two bytes; the stray 'x' is the 15th character of line 2.
    const LoadError e = only_error_in_text("{\"format\": \"tactus\",\n \"title\": \"é\" x}");
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.column, 15);
}

TEST(DocumentJsonErrors, truncated_json_points_at_the_end) {
    const LoadError e = only_error_in_text("{\"format\": \"tactus\",\n  \"version\": 1");
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.column, 15);
    EXPECT_TRUE(contains(e.message, "unexpected end of input"));
}

TEST(DocumentJsonErrors, trailing_garbage_is_refused) {
    const LoadError e = only_error_in_text("{\"format\": \"tactus\", \"version\": 1}\n}");
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.column, 1);
}

TEST(DocumentJsonErrors, empty_file_is_refused_clearly) {
    for (const std::string text : {"", "  \n\t\n"}) {
        const LoadError e = only_error_in_text(text);
        EXPECT_EQ(e.json_path, "");
        EXPECT_TRUE(contains(e.message, "the file is empty"));
    }
}

TEST(DocumentJsonErrors, top_level_must_be_an_object) {
    const LoadError e = only_error_in_text("[1, 2]");
    EXPECT_EQ(e.json_path, "");
    EXPECT_EQ(e.message, "the top level must be a JSON object (got an array)");
}

TEST(DocumentJsonErrors, format_must_be_tactus) {
    LoadError e = only_error_in_text(R"({"version": 1})");
    EXPECT_EQ(e.json_path, "/format");
    EXPECT_TRUE(contains(e.message, "\"format\": \"tactus\""));

    // Nothing else is checked in a file that is not ours.
    e = only_error_in_text(R"({"format": "midi", "version": 1, "tracks": 5})");
    EXPECT_EQ(e.json_path, "/format");
    EXPECT_EQ(e.message, "must be \"tactus\" (got a string \"midi\"): not a Tactus document");
}

TEST(DocumentJsonVersions, newer_version_is_refused_with_the_supported_range) {
    for (const int v : {kDocumentFormatVersion + 1, kDocumentFormatVersion + 2}) {
        json j = valid_song();
        j["version"] = v;
        j["tracks"] = "a newer layout";  // not looked at
        const LoadError e = only_error(j);
        EXPECT_EQ(e.json_path, "/version");
        EXPECT_EQ(e.message, "written by a newer Tactus (format version " + std::to_string(v) +
                                 "); this build reads up to " + std::to_string(kDocumentFormatVersion));
    }
}

TEST(DocumentJsonVersions, version_zero_does_not_exist) {
    json j = valid_song();
    j["version"] = 0;
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/version");
    EXPECT_TRUE(contains(e.message, "format version 0 does not exist (versions start at 1"));
}

TEST(DocumentJsonVersions, missing_version_is_refused) {
    json j = valid_song();
    j.erase("version");
    const LoadError e = only_error(j);
    EXPECT_EQ(e.json_path, "/version");
    EXPECT_TRUE(contains(e.message, "the format version is required"));
    EXPECT_TRUE(contains(e.message, "this build reads format versions 1..1"));
}

TEST(DocumentJsonVersions, version_must_be_an_integer) {
    json j = valid_song();
    j["version"] = "1";
    EXPECT_TRUE(contains(only_error(j).message, "must be an integer format version (got a string \"1\""));
    j["version"] = 1.5;
    EXPECT_TRUE(contains(only_error(j).message, "must be an integer format version (got 1.5"));
}

TEST(DocumentJsonVersions, current_version_is_written_and_read) {
    EXPECT_EQ(document_to_json(Document())["version"], kDocumentFormatVersion);
    json j = valid_song();
    j["version"] = kDocumentFormatVersion;
    parse_ok(j.dump());
}

TEST(DocumentJson, load_error_to_string_forms) {
    EXPECT_EQ((LoadError{"a.json", "/x", "bad", 0, 0}).to_string(), "a.json: /x: bad");
    EXPECT_EQ((LoadError{"a.json", "", "bad", 0, 0}).to_string(), "a.json: bad");
    EXPECT_EQ((LoadError{"a.json", "", "invalid JSON: oops", 2, 7}).to_string(),
              "a.json:2:7: invalid JSON: oops");
}

// Notes are read while the text is parsed, never held as a JSON tree (a million notes' trees would
// take most of a gigabyte): what the tree-based reading reported, in the same order and places.

TEST(DocumentJsonNotes, problems_keep_their_order_among_the_track_problems_around_them) {
    // A track's own problems before its notes' and its controllers' after, track by track.
    json j = valid_song();
    j["tracks"][0]["name"] = 7;
    j["tracks"][0]["notes"][1]["pitch"] = 128;
    j["tracks"][0]["controllers"][0]["number"] = 300;
    j["tracks"][1]["name"] = 8;
    j["tracks"][1]["notes"][0]["velocity"] = 0;
    const auto errors = errors_of(j);
    ASSERT_EQ(errors.size(), 5u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/name");
    EXPECT_EQ(errors[1].json_path, "/tracks/0/notes/1/pitch");
    EXPECT_EQ(errors[1].message, "must be an integer within 0..127 (got 128)");
    EXPECT_EQ(errors[2].json_path, "/tracks/0/controllers/0/number");
    EXPECT_EQ(errors[3].json_path, "/tracks/1/name");
    EXPECT_EQ(errors[4].json_path, "/tracks/1/notes/0/velocity");
}

TEST(DocumentJsonNotes, an_element_that_is_not_an_object_is_named_at_its_index) {
    const auto errors = errors_in_text(R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "notes": [
        {"id": 1, "start": 0, "length": 1, "pitch": 60}, 5, [1, {"a": 2}], null,
        {"id": 2, "start": 1, "length": 1, "pitch": 61}]}]})");
    ASSERT_EQ(errors.size(), 3u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/notes/1");
    EXPECT_EQ(errors[0].message, "must be an object (got 5)");
    EXPECT_EQ(errors[1].json_path, "/tracks/0/notes/2");
    EXPECT_EQ(errors[1].message, "must be an object (got an array)");
    EXPECT_EQ(errors[2].json_path, "/tracks/0/notes/3");
}

TEST(DocumentJsonNotes, nested_values_and_unknown_members_of_a_note_are_read_as_the_tree_reads_them) {
    // Unknown members are ignored, whatever they hold; a nested value where a number belongs is refused.
    const Document doc = parse_ok(R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "notes": [
        {"id": 1, "_x": {"deep": [1, [2, {"k": null}]]}, "start": 0.5, "length": 1, "pitch": 60, "_y": "s"},
        {"id": 2, "start": 1, "length": 1, "pitch": 62.0, "velocity": 90.0, "cents": -3}]}]})");
    ASSERT_EQ(doc.tracks.at(0).notes.size(), 2u);
    EXPECT_EQ(doc.tracks[0].notes[0], (Note{1, 0.5, 1.0, 60, 0.0, 100}));
    EXPECT_EQ(doc.tracks[0].notes[1], (Note{2, 1.0, 1.0, 62, -3.0, 90}));
    const LoadError e =
        only_error_in_text(R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "notes": [
        {"id": 1, "start": 0, "length": {"beats": 1}, "pitch": 60}]}]})");
    EXPECT_EQ(e.json_path, "/tracks/0/notes/0/length");
    EXPECT_EQ(e.message, "must be a number (got an object)");
}

TEST(DocumentJsonNotes, a_key_repeated_in_a_note_or_nested_in_it_is_found) {
    auto errors = errors_in_text(R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "notes": [
        {"id": 1, "start": 0, "length": 1, "pitch": 60, "_x": {"a": 1, "a": 2}}]}]})");
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/0/notes/0/_x/a");
    errors = errors_in_text(R"({"format": "tactus", "version": 1, "tracks": [{"id": 1,
        "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60}],
        "notes": [{"id": 2, "start": 0, "length": 1, "pitch": 61}]}]})");
    ASSERT_GE(errors.size(), 1u) << describe(errors);
    EXPECT_TRUE(contains(errors[0].message, "duplicate key \"notes\"")) << describe(errors);
}

TEST(DocumentJsonNotes, only_the_root_tracks_notes_are_notes) {
    // A "tracks" member elsewhere (here in a marker, which ignores unknown members) is not read as notes.
    const Document doc = parse_ok(R"({"format": "tactus", "version": 1,
        "markers": [{"beat": 0, "name": "m", "tracks": [{"notes": [{"id": 1}]}]}],
        "tracks": [{"id": 1, "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60}]}]})");
    ASSERT_EQ(doc.tracks.size(), 1u);
    EXPECT_EQ(doc.tracks[0].notes.size(), 1u);
}

TEST(DocumentJsonNotes, repeated_ids_are_named_across_tracks_whichever_way_the_note_was_read) {
    // The second note with id 1 is plain (read without a tree); the third has a problem of its own too.
    const auto errors = errors_in_text(R"({"format": "tactus", "version": 1, "tracks": [
        {"id": 1, "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60}]},
        {"id": 2, "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60},
                            {"id": 1, "start": -1, "length": 1, "pitch": 60}]}]})");
    ASSERT_EQ(errors.size(), 3u) << describe(errors);
    EXPECT_EQ(errors[0].json_path, "/tracks/1/notes/0/id");
    EXPECT_TRUE(contains(errors[0].message, "already used at /tracks/0/notes/0/id"));
    EXPECT_EQ(errors[1].json_path, "/tracks/1/notes/1/id");
    EXPECT_EQ(errors[2].json_path, "/tracks/1/notes/1/start");
}

TEST(DocumentJsonNotes, a_document_without_tracks_or_with_empty_notes_loads) {
    EXPECT_TRUE(parse_ok(R"({"format": "tactus", "version": 1})").tracks.empty());
    const Document doc =
        parse_ok(R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "notes": []}]})");
    ASSERT_EQ(doc.tracks.size(), 1u);
    EXPECT_TRUE(doc.tracks[0].notes.empty());
}

}  // namespace
}  // namespace tactus
