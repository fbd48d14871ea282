// Memory and time per note of what the engine holds for a document: the document model as loaded
// from JSON, the editor's index of it (DocumentEditor), and the compiled score (ScoreSnapshot). Heap
// bytes in use (mallinfo2) before and after each step, so the figures are the structures' own, not
// the allocator's high-water mark; the peak while loading is the file text plus what loading builds.
//
//   bench_notes_memory FILE.json...      (bench/many_notes.py N > FILE.json makes one of N notes)
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "core/document_editor.h"
#include "core/document_json.h"
#include "engine/score_snapshot.h"

namespace {

std::size_t heap_in_use() {
    return mallinfo2().uordblks;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_notes_memory FILE.json...\n");
        return 2;
    }
    std::printf("%-10s %-14s %-14s %-18s %s\n", "notes", "load", "document", "editor index",
                "snapshot (48 kHz)");
    for (int i = 1; i < argc; ++i) {
        const std::size_t before = heap_in_use();
        auto t = std::chrono::steady_clock::now();
        tactus::LoadResult loaded = tactus::load_document_file(argv[i]);
        const double load_s = seconds_since(t);
        if (!loaded.document) {
            std::fprintf(stderr, "%s: %s\n", argv[i], loaded.errors.at(0).to_string().c_str());
            return 1;
        }
        const std::size_t notes = loaded.document->note_count();
        const std::size_t document_bytes = heap_in_use() - before;

        t = std::chrono::steady_clock::now();
        tactus::DocumentEditor editor(std::move(*loaded.document));
        const double editor_s = seconds_since(t);
        const std::size_t editor_bytes = heap_in_use() - before - document_bytes;

        t = std::chrono::steady_clock::now();
        auto snapshot = tactus::ScoreSnapshot::build(editor.document(), 48000.0);
        const double snapshot_s = seconds_since(t);
        const std::size_t snapshot_bytes = heap_in_use() - before - document_bytes - editor_bytes;

        const auto per_note = [&](std::size_t bytes) { return double(bytes) / double(notes); };
        std::printf("%-10zu %-14s %-14s %-18s %s\n", notes,
                    (std::to_string(load_s).substr(0, 5) + " s").c_str(),
                    (std::to_string(int(per_note(document_bytes))) + " B/note").c_str(),
                    (std::to_string(int(per_note(editor_bytes))) + " B, " +
                     std::to_string(editor_s).substr(0, 5) + " s")
                        .c_str(),
                    (std::to_string(int(per_note(snapshot_bytes))) + " B, " +
                     std::to_string(snapshot_s).substr(0, 5) + " s")
                        .c_str());
    }
    return 0;
}
