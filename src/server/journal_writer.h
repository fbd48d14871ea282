// Writes edit journals (server/edit_journal.h) on a thread of its own, so that the control thread
// never waits for a disk: it queues records, the writer thread writes every record queued since its
// last pass in one write and makes them durable with one fdatasync (group commit), in the order they
// were queued.
//
// Bounded: at most max_queued_bytes (default 64 MiB) of records wait for the disk. A record that
// does not fit (the disk stalls, or one batch is larger than the bound), or a write that fails, ends
// the journal's growth: that record and every later one for this journal are dropped, so the file
// keeps a prefix of the edits, which replays to a state the document really had. The next start()
// (a save, /journal, a load) begins a sound journal again. Each such loss is counted and logged.
//
// Files: a journal is created with its first record (a document only loaded or saved leaves no file;
// starting one removes an older file of that name): written beside its final name, synced, renamed
// into place and the directory synced, so a crash leaves no journal or a whole header with a whole
// first record. Files are opened without following a symbolic link.
//
// Threading: the public methods are for one thread (the control thread); they take a mutex only to
// move a command onto the queue (never held during I/O) and never wait for the writer, except
// flush() and the destructor. The writer thread does every open, write, sync, rename and unlink.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tactus {

class JournalWriter {
public:
    static constexpr std::size_t kDefaultMaxQueuedBytes = 64u << 20;

    explicit JournalWriter(std::size_t max_queued_bytes = kDefaultMaxQueuedBytes);
    // Writes and syncs what is queued, closes the journal (removing it when it holds no record).
    ~JournalWriter();
    JournalWriter(const JournalWriter&) = delete;
    JournalWriter& operator=(const JournalWriter&) = delete;

    // Begins the journal at `path` with `header` and, when not empty, `first_record` (a whole
    // record, journal_record()); without one, the file is created with the first append, and an
    // older file at `path` is removed now. The journal written until now is closed first and
    // removed when `remove_previous` or when it holds no record.
    void start(const std::string& path, std::vector<std::uint8_t> header,
               std::vector<std::uint8_t> first_record, bool remove_previous);
    // Queues one record (a whole record, journal_record()). False when it is not written: no journal,
    // or this journal stopped growing (queue full or a write failed; see above).
    bool append(std::vector<std::uint8_t> record);
    // Closes the journal; removes it when `remove` or when it holds no record.
    void end(bool remove);

    bool active() const { return !path_.empty(); }
    const std::string& path() const { return path_; }  // "" when not journaling

    // Blocks until everything queued so far is written and synced (tests, shutdown).
    void flush();

    struct Stats {
        std::uint64_t records_synced = 0;  // since the writer was made
        std::uint64_t syncs = 0;           // fdatasync calls for records
        std::uint64_t records_dropped = 0;
        std::size_t queued_bytes = 0;
    };
    Stats stats() const;

private:
    struct Command {
        enum class Kind { Start, Append, End } kind = Kind::Append;
        std::string path;
        std::vector<std::uint8_t> bytes;  // header (Start) or record (Append)
        std::vector<std::uint8_t> first;  // Start: first record
        bool remove = false;              // Start: remove the previous one; End: remove this one
        std::uint64_t journal = 0;        // which start() this belongs to
    };
    void push(Command command);
    void run();
    // Writer thread.
    void do_start(const Command& c);
    bool create(const std::vector<std::uint8_t>& header, const std::vector<std::uint8_t>& first);
    void do_end(bool remove);
    static void remove_file(const std::string& path);
    void write_appends(std::vector<const Command*>& batch);
    void fail(const std::string& what);

    const std::size_t max_queued_bytes_;
    // Control thread's view.
    std::string path_;
    std::uint64_t journal_ = 0;  // id of the current journal (0: none)

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<Command> queue_;
    std::size_t queued_bytes_ = 0;
    bool busy_ = false;
    bool stopping_ = false;
    std::atomic<std::uint64_t> broken_journal_{0};  // a journal that stopped growing
    std::atomic<std::uint64_t> records_synced_{0}, syncs_{0}, records_dropped_{0};

    // Writer thread's state.
    int fd_ = -1;
    std::string file_path_;
    std::uint64_t file_journal_ = 0;
    std::uint64_t file_records_ = 0;
    std::vector<std::uint8_t> header_;  // of a journal not created yet (no record so far)

    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tactus
