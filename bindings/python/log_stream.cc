// LogStream: an iterator over a container's output as it is written (Container.logs(follow=True)),
// and Container.logs() itself.
//
// The core's Logs() follows by blocking in poll until the container ends: a ReaderQueue runs it,
// and closing wakes it through an eventfd (LogOptions::cancel_fd).
#include <sys/eventfd.h>
#include <unistd.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/logs.h"
#include "mydocker/unique_fd.h"
#include "reader_queue.h"
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
    queue_.emplace(
        [this, options](const ReaderQueue::Push& push, const ReaderQueue&) {
          return container_.Logs(options, [&](const LogEntry& e) {
            return !Wanted(e, stdout_, stderr_) || push(e.text);
          });
        },
        [this] {
          // An eventfd write fails only at its maximum count; push() then stops the reader at
          // its next entry anyway.
          uint64_t one = 1;
          [[maybe_unused]] ssize_t written = ::write(cancel_.get(), &one, sizeof one);
        });
  }

  // The next line, or StopIteration once the container ended and everything was read.
  py::str Next() {
    std::optional<std::string> line = queue_->Next();
    if (!line) throw py::stop_iteration();
    return DecodeText(*line);
  }

  void Close() { queue_->Close(); }

 private:
  RuntimePtr runtime_;
  Container container_;
  UniqueFd cancel_;
  bool stdout_, stderr_;
  std::optional<ReaderQueue> queue_;  // last: its reader uses the members above
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
