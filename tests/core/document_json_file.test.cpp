// Loading and atomically saving document files (docs/document-format.md, core/atomic_file.h).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/document_json.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

Document song(int notes) {
    Document doc;
    doc.title = "Saved";
    Track t;
    t.id = 1;
    t.name = "Lead";
    for (int i = 0; i < notes; ++i)
        t.notes.push_back(Note{static_cast<NoteId>(i + 1), i * 0.5, 0.25, 60 + i % 12, 0.0, 100});
    doc.tracks.push_back(t);
    return doc;
}

class DocumentFile : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "tactus-doc-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
        dir_ = pattern;
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(dir_, ec);
    }

    // Names of the entries of `dir`, sorted.
    static std::vector<std::string> entries(const fs::path& dir) {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

    fs::path dir_;
};

TEST_F(DocumentFile, saved_file_loads_back_equal) {
    const Document doc = song(16);
    const std::string path = (dir_ / "song.json").string();
    std::string error;
    ASSERT_TRUE(save_document_file(doc, path, &error)) << error;
    EXPECT_EQ(read_text(path), document_to_string(doc));
    const LoadResult loaded = load_document_file(path);
    ASSERT_TRUE(loaded.errors.empty()) << loaded.errors.front().to_string();
    EXPECT_EQ(loaded.document, doc);
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"song.json"});
}

TEST_F(DocumentFile, new_file_gets_mode_from_the_umask) {
    const mode_t old_mask = ::umask(027);
    const std::string path = (dir_ / "song.json").string();
    std::string error;
    const bool saved = save_document_file(song(1), path, &error);
    ::umask(old_mask);
    ASSERT_TRUE(saved) << error;
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(DocumentFile, save_over_an_existing_file_replaces_it_and_keeps_its_mode) {
    const fs::path path = dir_ / "song.json";
    write_text(path, "old contents");
    ASSERT_EQ(::chmod(path.c_str(), 0604), 0);
    std::string error;
    ASSERT_TRUE(save_document_file(song(3), path.string(), &error)) << error;
    EXPECT_EQ(read_text(path), document_to_string(song(3)));
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0604u);
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"song.json"});
}

TEST_F(DocumentFile, save_through_a_symbolic_link_replaces_its_target) {
    const fs::path target = dir_ / "real.json";
    const fs::path link = dir_ / "link.json";
    write_text(target, "old");
    fs::create_symlink(target, link);
    std::string error;
    ASSERT_TRUE(save_document_file(song(2), link.string(), &error)) << error;
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_EQ(read_text(target), document_to_string(song(2)));
    EXPECT_EQ(entries(dir_), (std::vector<std::string>{"link.json", "real.json"}));
}

TEST_F(DocumentFile, save_into_a_missing_directory_fails_and_names_the_path) {
    const std::string path = (dir_ / "no-such-dir" / "song.json").string();
    std::string error;
    EXPECT_FALSE(save_document_file(song(1), path, &error));
    EXPECT_TRUE(contains(error, path));
    EXPECT_TRUE(contains(error, std::strerror(ENOENT)));
    EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(DocumentFile, save_over_a_directory_fails_and_leaves_no_temporary_file) {
    const fs::path path = dir_ / "song.json";
    fs::create_directory(path);
    write_text(path / "inside", "keep me");
    std::string error;
    EXPECT_FALSE(save_document_file(song(1), path.string(), &error));
    EXPECT_TRUE(contains(error, path.string()));
    EXPECT_TRUE(contains(error, std::strerror(EISDIR)));
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"song.json"});
    EXPECT_EQ(read_text(path / "inside"), "keep me");
}

TEST_F(DocumentFile, failed_write_leaves_the_original_untouched_and_no_temporary_file) {
    // The file size limit makes the write of the temporary file fail (EFBIG) whoever runs the test.
    const fs::path path = dir_ / "song.json";
    write_text(path, "the original");
    const Document big = song(2000);
    ASSERT_GT(document_to_string(big).size(), 4096u);

    struct rlimit old_limit {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    struct rlimit small = old_limit;
    small.rlim_cur = 4096;
    const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    std::string error;
    const bool saved = save_document_file(big, path.string(), &error);
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    ::signal(SIGXFSZ, old_handler);

    EXPECT_FALSE(saved);
    EXPECT_TRUE(contains(error, path.string()));
    EXPECT_TRUE(contains(error, std::strerror(EFBIG)));
    EXPECT_EQ(read_text(path), "the original");
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"song.json"});
}

TEST_F(DocumentFile, save_into_a_read_only_directory_leaves_the_original_untouched) {
    if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
    const fs::path path = dir_ / "song.json";
    write_text(path, "the original");
    ASSERT_EQ(::chmod(dir_.c_str(), 0555), 0);
    std::string error;
    EXPECT_FALSE(save_document_file(song(1), path.string(), &error));
    ::chmod(dir_.c_str(), 0755);
    EXPECT_TRUE(contains(error, path.string()));
    EXPECT_TRUE(contains(error, std::strerror(EACCES)));
    EXPECT_EQ(read_text(path), "the original");
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"song.json"});
}

TEST_F(DocumentFile, missing_file_error_names_the_path_and_the_reason) {
    const std::string path = (dir_ / "missing.json").string();
    const LoadResult result = load_document_file(path);
    EXPECT_FALSE(result.document.has_value());
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_EQ(result.errors[0].file, path);
    EXPECT_EQ(result.errors[0].json_path, "");
    EXPECT_TRUE(contains(result.errors[0].message, std::strerror(ENOENT)));
    EXPECT_EQ(result.errors[0].to_string(), path + ": cannot open: " + std::strerror(ENOENT));
}

TEST_F(DocumentFile, directory_is_not_a_document) {
    const LoadResult result = load_document_file(dir_.string());
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_TRUE(contains(result.errors[0].message, std::strerror(EISDIR)));
}

TEST_F(DocumentFile, errors_in_a_file_carry_its_name_as_given) {
    const fs::path path = dir_ / "bad.json";
    write_text(path, "{\"format\": \"tactus\", \"version\": 1, \"tempo\": []}");
    const LoadResult result = load_document_file(path.string());
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_EQ(result.errors[0].file, path.string());
    EXPECT_EQ(result.errors[0].json_path, "/tempo");
}

TEST(DocumentFormatDoc, example_in_the_documentation_loads) {
    const std::string doc = read_text(fs::path(TACTUS_SOURCE_DIR) / "docs" / "document-format.md");
    const auto begin = doc.find("```json\n");
    ASSERT_NE(begin, std::string::npos);
    const auto end = doc.find("```", begin + 8);
    ASSERT_NE(end, std::string::npos);
    const LoadResult result = parse_document(doc.substr(begin + 8, end - begin - 8), "document-format.md");
    ASSERT_TRUE(result.errors.empty()) << result.errors.front().to_string();
    EXPECT_EQ(result.document->tracks.at(0).notes.at(2).length, 0.0);
}

TEST_F(DocumentFile, atomic_write_of_plain_text) {
    const std::string path = (dir_ / "notes.txt").string();
    std::string error;
    ASSERT_TRUE(write_file_atomically(path, "one\n", &error)) << error;
    ASSERT_TRUE(write_file_atomically(path, "two\n", &error)) << error;
    EXPECT_EQ(read_text(path), "two\n");
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"notes.txt"});
}


// Saving inside an open directory (what tactusd does after checking a client's path): a link or a
// FIFO that took the name after the check is never written through, and the directory's path no
// longer matters once it is open (a component swapped for a link changes nothing).
TEST_F(DocumentFile, save_in_an_open_directory_never_writes_through_a_link_that_took_the_name) {
    fs::create_directories(dir_ / "allowed");
    fs::create_directories(dir_ / "outside");
    write_text(dir_ / "outside" / "target.json", "outside");
    const int dir_fd = ::open((dir_ / "allowed").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(dir_fd, 0);
    fs::create_symlink(dir_ / "outside" / "target.json", dir_ / "allowed" / "song.json");
    std::string error;
    EXPECT_FALSE(write_file_atomically_in(dir_fd, "allowed", "song.json", "new", &error));
    EXPECT_EQ(error, "cannot save allowed/song.json: not a regular file (it changed while saving)");
    EXPECT_EQ(read_text(dir_ / "outside" / "target.json"), "outside");
    EXPECT_TRUE(fs::is_symlink(dir_ / "allowed" / "song.json"));

    // The directory renamed away and a link to elsewhere put in its place: the save still lands in
    // the directory that was opened.
    fs::remove(dir_ / "allowed" / "song.json");
    fs::rename(dir_ / "allowed", dir_ / "moved");
    fs::create_directory_symlink(dir_ / "outside", dir_ / "allowed");
    EXPECT_TRUE(write_file_atomically_in(dir_fd, "allowed", "song.json", "new", &error)) << error;
    EXPECT_EQ(read_text(dir_ / "moved" / "song.json"), "new");
    EXPECT_FALSE(fs::exists(dir_ / "outside" / "song.json"));
    EXPECT_EQ(entries(dir_ / "moved"), std::vector<std::string>{"song.json"}) << "a temporary file was left";
    ::close(dir_fd);
}

}  // namespace
}  // namespace tactus
