// ReaderQueue: what Python iterators over a blocking core read share (Container.logs(follow=
// True)'s LogStream, Runtime.events()'s EventStream). The core's readers block (in poll, until
// a container ends or a time passes); a Python iterator must hand out one item at a time and
// may be dropped at any point. So a reader thread runs the core's read and fills a bounded
// queue; Next() takes from it with the GIL released, and Close() stops the reader: push()
// returns false from then on, `wake` (if any) interrupts a blocking read, and cancelled() says
// so to a reader that polls.
#ifndef MYDOCKER_BINDINGS_PYTHON_READER_QUEUE_H_
#define MYDOCKER_BINDINGS_PYTHON_READER_QUEUE_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace mydocker::python {

class ReaderQueue {
 public:
  // Gives one item to the iterator; blocks while the queue is full. False once closed.
  using Push = std::function<bool(std::string)>;

  // Starts the reader thread running read(push, *this). REQUIRES: what `read` and `wake` use
  // outlives this queue (declare the queue last).
  using Read = std::function<absl::Status(const Push&, const ReaderQueue&)>;
  explicit ReaderQueue(Read read, std::function<void()> wake = nullptr);
  ~ReaderQueue() { Close(); }
  ReaderQueue(const ReaderQueue&) = delete;
  ReaderQueue& operator=(const ReaderQueue&) = delete;

  // The next item; nullopt once the reader ended and everything was taken. Raises the
  // reader's error (unless it was closed) and what a pending signal raises.
  // REQUIRES: the GIL.
  std::optional<std::string> Next();
  // Stops the reader; later calls to Next() give nullopt. Idempotent.
  void Close();
  // True once Close() was called: for readers that poll (EventQuery::cancel).
  bool cancelled() const { return cancelled_.load(); }

 private:
  static constexpr size_t kMaxQueued = 1024;

  std::function<void()> wake_;
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // guarded by mu_, as the flags below
  bool done_ = false;
  bool closed_ = false;
  absl::Status status_;
  std::thread reader_;
};

}  // namespace mydocker::python

#endif  // MYDOCKER_BINDINGS_PYTHON_READER_QUEUE_H_
