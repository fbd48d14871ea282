// Why tactusd could not start, or stopped on an error, for the program that started it. With
// --exit-reason FILE, the last "tactusd: …" line the engine wrote to stderr ("tactusd: cannot open
// audio: jack: cannot connect to the JACK server 'default' …") is also written to FILE when it exits
// with an error status; the file is emptied at start. A starter that passes the engine's stderr on to
// its user (tactus-gui) so reads the reason without parsing the stream.
//
// Threading: std::cerr's lines are recorded under a mutex by whichever thread writes them (the control
// and helper threads; the audio thread never writes to stderr). Construct and destroy on the main
// thread, before and after every other thread.
#pragma once

#include <memory>
#include <string>

namespace tactus {

class ExitReason {
public:
    // Looks for --exit-reason FILE (or --exit-reason=FILE) in the command line. Without it, does nothing.
    ExitReason(int argc, char** argv);
    ~ExitReason();  // gives std::cerr its own buffer back
    ExitReason(const ExitReason&) = delete;
    ExitReason& operator=(const ExitReason&) = delete;

    // Writes the last "tactusd: " line to the file when `status` is not 0.
    void record_exit(int status);

private:
    class LineTee;
    std::string path_;
    std::unique_ptr<LineTee> tee_;
};

}  // namespace tactus
