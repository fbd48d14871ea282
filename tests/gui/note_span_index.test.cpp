// NoteSpanIndex (gui/note_span_index.h), which the piano roll paints through: for random tracks and
// random spans it finds exactly the notes a scan of every note finds, in start order, also after notes
// are moved, lengthened, added and removed, and after a track goes.
#include "gui/note_span_index.h"

#include <QTest>
#include <random>
#include <vector>

using namespace tactus;

namespace {

std::vector<NoteId> scanned(const Track& t, double first, double last) {
    std::vector<const Note*> found;
    for (const Note& n : t.notes)
        if (n.end() >= first && n.start <= last) found.push_back(&n);
    std::stable_sort(found.begin(), found.end(),
                     [](const Note* a, const Note* b) { return a->start < b->start; });
    std::vector<NoteId> ids;
    for (const Note* n : found) ids.push_back(n->id);
    return ids;
}

std::vector<NoteId> indexed(const gui::NoteSpanIndex& index, const Track& t, double first, double last) {
    std::vector<NoteId> ids;
    index.forEachIn(t, first, last, [&](const Note& n) { ids.push_back(n.id); });
    return ids;
}

}  // namespace

class NoteSpanIndexTest : public QObject {
    Q_OBJECT

private slots:
    void finds_what_a_full_scan_finds_before_and_after_edits() {
        std::mt19937 rng(11);
        std::uniform_real_distribution<double> start(0, 400), length(0, 12), span(0, 40);
        Document doc;
        NoteId id = 1;
        for (TrackId t = 1; t <= 4; ++t) {
            Track track;
            track.id = t;
            for (int i = 0; i < 2000; ++i)
                track.notes.push_back(Note{id++, start(rng), length(rng), 60, 0, 100});
            doc.tracks.push_back(track);
        }
        gui::NoteSpanIndex index;
        const auto check = [&] {
            index.update(doc);
            for (int q = 0; q < 200; ++q) {
                const double first = start(rng), last = first + span(rng);
                for (const Track& t : doc.tracks)
                    QCOMPARE(indexed(index, t, first, last), scanned(t, first, last));
            }
        };
        check();
        // Edits in place: a start moved, a note lengthened past the longest, notes added and removed.
        doc.tracks[0].notes[10].start = 399.5;
        doc.tracks[1].notes[5].length = 60;
        doc.tracks[2].notes.push_back(Note{id++, 1.0, 0.0, 61, 0, 100});
        doc.tracks[3].notes.erase(doc.tracks[3].notes.begin() + 7);
        check();
        doc.tracks.erase(doc.tracks.begin() + 1);
        check();
    }
};

QTEST_MAIN(NoteSpanIndexTest)
#include "note_span_index.test.moc"
