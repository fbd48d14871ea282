#include "server/journal_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace tactus {

namespace {

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// The directory entry (a rename, an unlink) made durable.
void sync_directory(const std::string& path) {
    const int dir = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return;
    ::fsync(dir);
    ::close(dir);
}

bool write_all(int fd, const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

JournalWriter::JournalWriter(std::size_t max_queued_bytes)
    : max_queued_bytes_(max_queued_bytes), thread_([this] { run(); }) {}

JournalWriter::~JournalWriter() {
    if (active()) end(false);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void JournalWriter::push(Command command) {
    {
        std::lock_guard lock(mutex_);
        queued_bytes_ += command.bytes.size() + command.first.size();
        queue_.push_back(std::move(command));
    }
    wake_.notify_one();
}

void JournalWriter::start(const std::string& path, std::vector<std::uint8_t> header,
                          std::vector<std::uint8_t> first_record, bool remove_previous) {
    Command c;
    c.kind = Command::Kind::Start;
    c.path = path;
    c.bytes = std::move(header);
    c.first = std::move(first_record);
    c.remove = remove_previous && path != path_;
    c.journal = ++journal_;
    path_ = path;
    push(std::move(c));
}

bool JournalWriter::append(std::vector<std::uint8_t> record) {
    if (!active()) return false;
    if (broken_journal_.load(std::memory_order_relaxed) == journal_) {
        records_dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    std::size_t waiting = 0;
    {
        std::lock_guard lock(mutex_);
        waiting = queued_bytes_;
    }
    // Only this thread adds to the queue: what waits can only shrink before the push below.
    if (waiting + record.size() > max_queued_bytes_) {
        broken_journal_.store(journal_, std::memory_order_relaxed);
        records_dropped_.fetch_add(1, std::memory_order_relaxed);
        std::cerr << "tactusd: journal: " << waiting << " bytes already wait for the disk; " << path_
                  << " keeps the edits written so far and journals none until the next save\n";
        return false;
    }
    Command c;
    c.kind = Command::Kind::Append;
    c.bytes = std::move(record);
    c.journal = journal_;
    push(std::move(c));
    return true;
}

void JournalWriter::end(bool remove) {
    if (!active()) return;
    Command c;
    c.kind = Command::Kind::End;
    c.remove = remove;
    c.journal = journal_;
    path_.clear();
    push(std::move(c));
}

void JournalWriter::flush() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

JournalWriter::Stats JournalWriter::stats() const {
    Stats s;
    s.records_synced = records_synced_.load(std::memory_order_relaxed);
    s.syncs = syncs_.load(std::memory_order_relaxed);
    s.records_dropped = records_dropped_.load(std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    s.queued_bytes = queued_bytes_;
    return s;
}

void JournalWriter::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) break;  // stopping, and everything written
        std::deque<Command> work;
        work.swap(queue_);
        busy_ = true;
        lock.unlock();
        std::size_t bytes = 0;
        std::vector<const Command*> appends;
        for (const Command& c : work) {
            bytes += c.bytes.size() + c.first.size();
            if (c.kind == Command::Kind::Append) {
                appends.push_back(&c);
                continue;
            }
            write_appends(appends);
            if (c.kind == Command::Kind::Start)
                do_start(c);
            else
                do_end(c.remove);
        }
        write_appends(appends);
        lock.lock();
        queued_bytes_ -= bytes;
        busy_ = false;
        idle_.notify_all();
    }
    do_end(false);
}

void JournalWriter::fail(const std::string& what) {
    std::cerr << "tactusd: journal: " << what << ": " << std::strerror(errno) << "; " << file_path_
              << " keeps the edits written so far and journals none until the next save\n";
    broken_journal_.store(file_journal_, std::memory_order_relaxed);
}

// Removes a file and makes that durable; nothing when there is none.
void JournalWriter::remove_file(const std::string& path) {
    if (::unlink(path.c_str()) == 0) sync_directory(path);
}

void JournalWriter::do_start(const Command& c) {
    if (!file_path_.empty()) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        if ((c.remove || file_records_ == 0) && file_path_ != c.path) remove_file(file_path_);
    }
    file_path_ = c.path;
    file_journal_ = c.journal;
    file_records_ = 0;
    header_.clear();
    if (c.first.empty()) {
        // Created with its first record: a document only loaded or saved leaves no file behind. A
        // journal there from before (a crash's, replayed or declined since) no longer applies.
        header_ = c.bytes;
        remove_file(c.path);
        return;
    }
    if (create(c.bytes, c.first)) file_records_ = 1;
}

bool JournalWriter::create(const std::vector<std::uint8_t>& header, const std::vector<std::uint8_t>& first) {
    const std::string fresh = file_path_ + ".new";
    const int fd = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    const char* step = fd < 0                                             ? "cannot create "
                       : !write_all(fd, header.data(), header.size())     ? "cannot write "
                       : !write_all(fd, first.data(), first.size())       ? "cannot write "
                       : ::fdatasync(fd) != 0                             ? "cannot sync "
                       : ::rename(fresh.c_str(), file_path_.c_str()) != 0 ? "cannot rename "
                                                                          : nullptr;
    header_.clear();
    if (step != nullptr) {
        fail(step + fresh);
        if (fd >= 0) ::close(fd);
        ::unlink(fresh.c_str());  // never the FIFO or link someone put there: that open failed first
        file_path_.clear();       // the file at the journal's name (if any) stays as it was
        return false;
    }
    sync_directory(file_path_);
    fd_ = fd;
    return true;
}

void JournalWriter::do_end(bool remove) {
    if (file_path_.empty()) return;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    header_.clear();
    if (remove || file_records_ == 0) remove_file(file_path_);
    file_path_.clear();
}

void JournalWriter::write_appends(std::vector<const Command*>& batch) {
    std::uint64_t unsynced = 0;
    for (const Command* c : batch) {
        const bool ours = c->journal == file_journal_ && !file_path_.empty() &&
                          broken_journal_.load(std::memory_order_relaxed) != file_journal_;
        if (ours && fd_ < 0 && !header_.empty()) {  // the journal's first record creates it
            if (create(header_, c->bytes)) {
                ++file_records_;
                records_synced_.fetch_add(1, std::memory_order_relaxed);
                syncs_.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
        }
        if (!ours || fd_ < 0) {
            records_dropped_.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (!write_all(fd_, c->bytes.data(), c->bytes.size())) {
            fail("cannot append to the journal");
            records_dropped_.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        ++unsynced;
    }
    batch.clear();
    if (unsynced == 0) return;
    if (::fdatasync(fd_) != 0) return fail("cannot sync the journal");
    file_records_ += unsynced;
    records_synced_.fetch_add(unsynced, std::memory_order_relaxed);
    syncs_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace tactus
