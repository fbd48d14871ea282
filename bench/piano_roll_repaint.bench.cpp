// What one repaint of the piano roll's note area costs on a big song: 64 tracks of 10,000 notes each
// (the aim: under 16 ms a repaint), rendered offscreen into an image the size of a window's
// grid (1,100 × 600). Views:
//   BM_Repaint/80   80 pixels a beat (about 14 beats shown), the edited track and 63 others' ghosts
//   BM_Repaint/4    4 pixels a beat: zoomed out over 275 beats
//   BM_CursorStrip  the 3-pixel strip a moving cursor repaints at display rate
// Counter notes_drawn: notes in the view (all tracks).
#include <benchmark/benchmark.h>

#include <QApplication>
#include <QImage>
#include <QPainter>

#include "big_song.h"
#include "core/score.h"
#include "gui/engine_link.h"
#include "gui/note_grid.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace {

using namespace tactus;

struct Fixture {
    gui::EngineLink link;
    gui::SongModel song{link};
    gui::RollState state;
    gui::PianoRoll roll{song, link, state};
    Fixture() {
        song.resetDocument(bench::bigSong());
        state.setCurrentTrack(1);
        roll.resize(1160, 720);
        roll.show();
        QApplication::processEvents();
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void BM_Repaint(benchmark::State& state) {
    Fixture& f = fixture();
    f.state.setPixelsPerBeat(double(state.range(0)), 0.0);
    f.state.setLeftBeat(1000.0);
    gui::NoteGrid* grid = f.roll.grid();
    QImage image(grid->size(), QImage::Format_RGB32);
    for (auto _ : state) {
        grid->render(&image);
        benchmark::DoNotOptimize(image.bits());
    }
    const double beats = grid->width() / f.state.pixelsPerBeat();
    state.counters["notes_drawn"] = 64 * (beats / 0.25);
}
BENCHMARK(BM_Repaint)->Arg(80)->Arg(4)->Unit(benchmark::kMillisecond);

void BM_CursorStrip(benchmark::State& state) {
    Fixture& f = fixture();
    f.state.setPixelsPerBeat(80.0, 0.0);
    f.state.setLeftBeat(1000.0);
    gui::NoteGrid* grid = f.roll.grid();
    QImage image(3, grid->height(), QImage::Format_RGB32);
    const QRegion strip(QRect(grid->width() / 2, 0, 3, grid->height()));
    for (auto _ : state) {
        grid->render(&image, QPoint(), strip);
        benchmark::DoNotOptimize(image.bits());
    }
}
BENCHMARK(BM_CursorStrip)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
