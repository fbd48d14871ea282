// Small helpers shared by the lock-free stress tests.
#pragma once

#include <thread>

namespace tactus::lockfree_test {

// What a side does while it waits for the other (the queue is full, or empty): let the other thread
// run. The machines this runs on may have fewer cores than the test has threads.
inline void back_off() {
    std::this_thread::yield();
}

}  // namespace tactus::lockfree_test
