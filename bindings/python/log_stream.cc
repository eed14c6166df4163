// LogStream: an iterator over a container's output as it is written (Container.logs(follow=True)),
// and Container.logs() itself.
//
// The core's Logs() follows by blocking in poll until the container ends. A Python iterator
// must hand out one line at a time and may be dropped at any point, so a reader thread runs
// Logs() and fills a bounded queue; the iterator takes from it with the GIL released, and
// closing it wakes the reader through an eventfd (LogOptions::cancel_fd).
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/logs.h"
#include "mydocker/unique_fd.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

py::str DecodeText(const std::string& text) {
  PyObject* s = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

bool Wanted(const LogEntry& e, bool stdout, bool stderr) {
  return e.stream == "stderr" ? stderr : stdout;
}

class LogStream {
 public:
  LogStream(RuntimePtr runtime, const std::string& id, LogOptions options, bool stdout, bool stderr)
      : runtime_(std::move(runtime)),
        container_(runtime_.get(), id),
        cancel_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        stdout_(stdout),
        stderr_(stderr) {
    if (!cancel_) ThrowStatus(absl::ErrnoToStatus(errno, "eventfd"));
    options.cancel_fd = cancel_.get();
    reader_ = std::thread([this, options] { Read(options); });
  }

  ~LogStream() { Close(); }

  // The next line, or StopIteration once the container ended and everything was read.
  py::str Next() {
    for (;;) {
      std::optional<std::string> line;
      bool finished = false;
      absl::Status status;
      {
        py::gil_scoped_release release;
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(kWaitSliceMs),
                     [&] { return !queue_.empty() || done_; });
        if (!queue_.empty()) {
          line = std::move(queue_.front());
          queue_.pop_front();
          cv_.notify_all();
        } else if (done_) {
          finished = true;
          status = status_;
        }
      }
      if (line.has_value()) return DecodeText(*line);
      if (finished) {
        ThrowIfError(status);
        throw py::stop_iteration();
      }
      CheckSignals();
    }
  }

  // Stops the reader; later calls to Next() end the iteration. Idempotent.
  void Close() {
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
      cancelled_ = true;
      queue_.clear();
    }
    cv_.notify_all();
    // An eventfd write fails only at its maximum count; the flag then stops the reader at its
    // next entry anyway.
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(cancel_.get(), &one, sizeof one);
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

 private:
  static constexpr size_t kMaxQueued = 1024;

  void Read(LogOptions options) {
    absl::Status status = container_.Logs(options, [this](const LogEntry& e) {
      if (!Wanted(e, stdout_, stderr_)) return true;
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return queue_.size() < kMaxQueued || cancelled_; });
      if (cancelled_) return false;
      queue_.push_back(e.text);
      cv_.notify_all();
      return true;
    });
    std::lock_guard lock(mu_);
    status_ = status;
    done_ = true;
    cv_.notify_all();
  }

  RuntimePtr runtime_;
  Container container_;
  UniqueFd cancel_;
  bool stdout_, stderr_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool done_ = false;
  bool cancelled_ = false;
  bool closed_ = false;
  absl::Status status_;
  std::thread reader_;
};

}  // namespace

// docker-py's since/until: a datetime, a Unix time (int or float seconds) or Docker's text
// (RFC 3339, Unix seconds, a duration before now such as "10m"); None: unbounded.
absl::Time ToLogTime(const py::object& value, const char* what, absl::Time if_none) {
  if (value.is_none()) return if_none;
  py::module_ datetime = py::module_::import("datetime");
  if (py::isinstance(value, datetime.attr("datetime"))) {
    return absl::UnixEpoch() + absl::Seconds(value.attr("timestamp")().cast<double>());
  }
  if (py::isinstance<py::bool_>(value)) throw py::type_error(absl::StrCat(what, " must be a time"));
  if (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value)) {
    return absl::UnixEpoch() + absl::Seconds(value.cast<double>());
  }
  if (!py::isinstance<py::str>(value)) {
    throw py::type_error(absl::StrCat(what, " must be a datetime, a number or a str"));
  }
  absl::StatusOr<absl::Time> t = ParseLogTime(value.cast<std::string>(), absl::Now());
  if (!t.ok()) {
    ThrowStatus(absl::InvalidArgumentError(absl::StrCat(what, ": ", t.status().message())));
  }
  return *t;
}

py::object ContainerLogs(PyContainer& container, bool follow, std::optional<size_t> tail,
                         bool stdout, bool stderr, const py::object& since,
                         const py::object& until) {
  LogOptions options;
  options.follow = follow;
  options.tail = tail;
  options.since = ToLogTime(since, "since", absl::InfinitePast());
  options.until = ToLogTime(until, "until", absl::InfiniteFuture());
  if (follow) {
    return py::cast(
        std::make_unique<LogStream>(container.runtime(), container.id(), options, stdout, stderr));
  }
  std::string text;
  WithoutGil([&] {
    return container.core().Logs(options, [&](const LogEntry& e) {
      if (Wanted(e, stdout, stderr)) text += e.text;
      return true;
    });
  });
  return DecodeText(text);
}

void RegisterLogStream(py::module_& m) {
  py::class_<LogStream>(m, "LogStream",
                        "An iterator over a container's output lines (each with its newline) "
                        "as they are written, returned by Container.logs(follow=True). It ends "
                        "when the container ends; close() (or leaving a with block) stops it "
                        "early.")
      .def("__iter__", [](LogStream& self) -> LogStream& { return self; })
      .def("__next__", &LogStream::Next)
      .def("close", &LogStream::Close, "Stops following; the iteration ends.")
      .def("__enter__", [](LogStream& self) -> LogStream& { return self; })
      .def("__exit__", [](LogStream& self, py::args) { self.Close(); });
}

}  // namespace mydocker::python
