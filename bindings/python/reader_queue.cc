#include "reader_queue.h"

#include <pybind11/pybind11.h>

#include <chrono>

#include "bindings.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;

ReaderQueue::ReaderQueue(Read read, std::function<void()> wake) : wake_(std::move(wake)) {
  reader_ = std::thread([this, read = std::move(read)] {
    Push push = [this](std::string item) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return queue_.size() < kMaxQueued || cancelled_; });
      if (cancelled_) return false;
      queue_.push_back(std::move(item));
      cv_.notify_all();
      return true;
    };
    absl::Status status = read(push, *this);
    std::lock_guard lock(mu_);
    status_ = cancelled_ ? absl::OkStatus() : status;  // closing is not a failure
    done_ = true;
    cv_.notify_all();
  });
}

std::optional<std::string> ReaderQueue::Next() {
  for (;;) {
    std::optional<std::string> item;
    bool finished = false;
    absl::Status status;
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(kWaitSliceMs),
                   [&] { return !queue_.empty() || done_; });
      if (!queue_.empty()) {
        item = std::move(queue_.front());
        queue_.pop_front();
        cv_.notify_all();
      } else if (done_) {
        finished = true;
        status = status_;
      }
    }
    if (item.has_value()) return item;
    if (finished) {
      ThrowIfError(status);
      return std::nullopt;
    }
    CheckSignals();
  }
}

void ReaderQueue::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    cancelled_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (wake_) wake_();
  // The reader never takes the GIL, so joining with it held cannot deadlock; release it
  // anyway so other threads run meanwhile.
  if (PyGILState_Check()) {
    py::gil_scoped_release release;
    reader_.join();
  } else {
    reader_.join();
  }
  std::lock_guard lock(mu_);
  done_ = true;
}

}  // namespace mydocker::python
