// Container.exec(): a command run in the running container, with docker-py's exec_run options:
// a terminal, stdin as bytes, stdout and stderr apart (demux), output streamed as it comes
// (stream), and a timeout. The core's Exec blocks until the command ends, relaying its stdio;
// it runs on a thread of its own (with its own Container object) while the caller waits with
// the GIL released, so Ctrl-C and the timeout are heard. Signals reach the command through the
// core's signal descriptor (a pipe of signalfd_siginfo records, as the C API's exec handle).
#include <fcntl.h>
#include <poll.h>
#include <pybind11/stl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>
#include <vector>

#include "bindings.h"
#include "capture.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "run_options.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// How long a command that was sent SIGTERM (timeout, close, Ctrl-C) gets before its relay is
// stopped (SIGKILL ends the helper; the command may go on, as after mydocker_exec_destroy).
constexpr absl::Duration kStopGrace = absl::Seconds(2);

// A memfd holding `data`, read from its start: the command's stdin.
UniqueFd InputFile(const std::string& data) {
  UniqueFd fd(::memfd_create("pymydocker-stdin", MFD_CLOEXEC));
  if (!fd) ThrowStatus(LastErrnoError("memfd_create for stdin"));
  if (!data.empty() &&
      ::pwrite(fd.get(), data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) {
    ThrowStatus(LastErrnoError("write stdin"));
  }
  return fd;
}

// The core's Exec on a thread; Stop() and the timeout end it.
class ExecRunner {
 public:
  // `writers` (the caller's ends of output pipes) are closed once the command's output was
  // relayed, so that their readers see the end.
  ExecRunner(const PyContainer& c, ExecOptions options, std::optional<double> timeout,
             std::vector<UniqueFd> writers = {})
      : container_(c.runtime().get(), c.id()), runtime_(c.runtime()) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) ThrowStatus(LastErrnoError("pipe for exec signals"));
    signal_r_.reset(p[0]);
    signal_w_.reset(p[1]);
    options.signal_fd = signal_r_.get();
    if (timeout) {
      if (*timeout < 0) ThrowStatus(absl::InvalidArgumentError("timeout must be >= 0"));
      deadline_ = absl::Now() + absl::Seconds(*timeout);
    }
    thread_ =
        std::thread([this, options = std::move(options), writers = std::move(writers)]() mutable {
          absl::StatusOr<int> result = container_.Exec(options);
          writers.clear();
          std::lock_guard lock(mu_);
          result_ = std::move(result);
          done_ = true;
          cv_.notify_all();
        });
  }

  // Ends the command if it still runs and waits for the thread. Never throws.
  ~ExecRunner() {
    py::gil_scoped_release release;
    if (!WaitDone(absl::Now())) {
      Signal(SIGTERM);
      if (!WaitDone(absl::Now() + kStopGrace)) Signal(SIGKILL);
    }
    thread_.join();
  }

  // True once the command ended; false when `until` came first. Enforces the timeout.
  // REQUIRES: the GIL is released.
  bool WaitDone(absl::Time until) {
    std::unique_lock lock(mu_);
    for (;;) {
      if (done_) return true;
      absl::Time now = absl::Now();
      if (now >= deadline_) {
        // The timeout: SIGTERM, then after the grace SIGKILL to stop the relay.
        lock.unlock();
        Signal(stage_ == 0 ? SIGTERM : SIGKILL);
        lock.lock();
        timed_out_ = true;
        deadline_ = stage_++ == 0 ? now + kStopGrace : absl::InfiniteFuture();
        continue;
      }
      if (now >= until) return false;
      cv_.wait_for(lock, absl::ToChronoMilliseconds(std::min(until, deadline_) - now) +
                             std::chrono::milliseconds(1));
    }
  }

  // Waits (GIL released, Ctrl-C heard) for the end; raises Timeout after a timeout, the
  // command's failure (CommandError 126/127), or returns its exit code.
  int Finish() {
    for (;;) {
      bool done;
      {
        py::gil_scoped_release release;
        done = WaitDone(absl::Now() + absl::Milliseconds(kWaitSliceMs));
      }
      if (done) break;
      CheckSignals();
    }
    std::lock_guard lock(mu_);
    if (timed_out_) {
      ThrowStatus(absl::DeadlineExceededError("the exec'd command ran out of its timeout"));
    }
    return ValueOrThrow(result_);
  }

  void Signal(int signal) {
    struct signalfd_siginfo si = {};
    si.ssi_signo = static_cast<uint32_t>(signal);
    [[maybe_unused]] ssize_t n = ::write(signal_w_.get(), &si, sizeof si);
  }

 private:
  Container container_;
  RuntimePtr runtime_;  // keeps the runtime alive while the thread uses it
  UniqueFd signal_r_, signal_w_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;       // guarded by mu_
  bool timed_out_ = false;  // guarded by mu_
  int stage_ = 0;           // guarded by mu_
  absl::Time deadline_ = absl::InfiniteFuture();
  absl::StatusOr<int> result_ = absl::UnknownError("exec has not ended");
  std::thread thread_;
};

// The output of a streaming exec (stream=True), chunk by chunk as the command writes it.
class ExecStream {
 public:
  ExecStream(const PyContainer& c, ExecOptions options, std::optional<double> timeout, bool demux,
             UniqueFd stdin_file)
      : demux_(demux), stdin_file_(std::move(stdin_file)) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) ThrowStatus(LastErrnoError("pipe for exec output"));
    out_r_.reset(p[0]);
    UniqueFd out_w(p[1]);
    UniqueFd err_w;
    if (demux_ && !options.tty) {
      if (::pipe2(p, O_CLOEXEC) != 0) ThrowStatus(LastErrnoError("pipe for exec output"));
      err_r_.reset(p[0]);
      err_w.reset(p[1]);
    }
    options.stdio.out = out_w.get();
    options.stdio.err = err_w ? err_w.get() : out_w.get();
    std::vector<UniqueFd> writers;
    writers.push_back(std::move(out_w));
    if (err_w) writers.push_back(std::move(err_w));
    runner_.emplace(c, std::move(options), timeout, std::move(writers));
  }

  // The next chunk (bytes; with demux a (stdout, stderr) pair, one of them None), or
  // StopIteration once the command ended and its output was read.
  py::object Next() {
    for (;;) {
      if (!out_r_ && !err_r_) {
        if (!runner_) throw py::stop_iteration();
        try {
          exit_code_ = runner_->Finish();
        } catch (...) {
          runner_.reset();  // raised once (Timeout, CommandError); then the iteration ends
          throw;
        }
        runner_.reset();
        throw py::stop_iteration();
      }
      struct pollfd fds[2];
      int n = 0, out_i = -1, err_i = -1;
      if (out_r_) fds[out_i = n++] = {out_r_.get(), POLLIN, 0};
      if (err_r_) fds[err_i = n++] = {err_r_.get(), POLLIN, 0};
      int ready;
      {
        py::gil_scoped_release release;
        ready = ::poll(fds, static_cast<nfds_t>(n), kWaitSliceMs);
        runner_->WaitDone(absl::Now());  // enforces the timeout
      }
      if (ready < 0 && errno != EINTR) ThrowStatus(LastErrnoError("poll exec output"));
      if (ready > 0) {
        if (out_i >= 0 && fds[out_i].revents) {
          if (auto chunk = ReadChunk(out_r_)) return Wrap(*chunk, 1);
        }
        if (err_i >= 0 && fds[err_i].revents) {
          if (auto chunk = ReadChunk(err_r_)) return Wrap(*chunk, 2);
        }
      }
      CheckSignals();
    }
  }

  // Stops reading; a command still running gets SIGTERM (then its relay is stopped).
  void Close() {
    out_r_.reset();
    err_r_.reset();
    runner_.reset();
  }

  std::optional<int> exit_code() const { return exit_code_; }

 private:
  // A chunk read from `fd`; nullopt (and `fd` closed) at its end.
  static std::optional<std::string> ReadChunk(UniqueFd& fd) {
    char buf[65536];
    ssize_t n;
    {
      py::gil_scoped_release release;
      do {
        n = ::read(fd.get(), buf, sizeof buf);
      } while (n < 0 && errno == EINTR);
    }
    if (n <= 0) {
      fd.reset();
      return std::nullopt;
    }
    return std::string(buf, static_cast<size_t>(n));
  }

  py::object Wrap(const std::string& chunk, int stream) const {
    py::bytes data(chunk);
    if (!demux_) return std::move(data);
    return stream == 1 ? py::make_tuple(data, py::none()) : py::make_tuple(py::none(), data);
  }

  bool demux_;
  UniqueFd stdin_file_;
  UniqueFd out_r_, err_r_;
  std::optional<ExecRunner> runner_;
  std::optional<int> exit_code_;
};

py::object Exec(PyContainer& c, const py::object& cmd, const py::object& env,
                const std::string& workdir, const std::string& user, bool tty,
                const py::object& stdin, bool demux, bool stream, std::optional<double> timeout) {
  ExecOptions options;
  options.args = ToArgv(cmd);
  options.env = ToEnv(env);
  options.workdir = workdir;
  options.user = user;
  options.tty = tty;
  UniqueFd input;
  if (!stdin.is_none()) {
    if (!py::isinstance<py::bytes>(stdin) && !py::isinstance<py::str>(stdin)) {
      throw py::type_error("stdin must be bytes or str");
    }
    input = InputFile(py::isinstance<py::str>(stdin) ? stdin.cast<std::string>()
                                                     : std::string(stdin.cast<py::bytes>()));
    options.stdio.in = input.get();
  }
  if (stream) {
    return py::cast(
        std::make_unique<ExecStream>(c, std::move(options), timeout, demux, std::move(input)));
  }
  Capture out = ValueOrThrow(Capture::Create());
  std::optional<Capture> err;
  if (demux && !tty) err.emplace(ValueOrThrow(Capture::Create()));
  options.stdio.out = out.fd();
  options.stdio.err = err ? err->fd() : out.fd();
  int code = ExecRunner(c, std::move(options), timeout).Finish();
  py::bytes stdout_bytes(ValueOrThrow(out.Read()));
  if (!demux) return py::make_tuple(code, stdout_bytes);
  py::object stderr_bytes = err ? py::object(py::bytes(ValueOrThrow(err->Read()))) : py::none();
  return py::make_tuple(code, py::make_tuple(stdout_bytes, stderr_bytes));
}

}  // namespace

void DefineContainerExec(py::module_& m, py::class_<PyContainer>& cls) {
  py::class_<ExecStream>(m, "ExecStream",
                         "The output of Container.exec(stream=True), chunk by chunk as the "
                         "command writes it (bytes; with demux=True (stdout, stderr) pairs, "
                         "one of them None). exit_code is set once the iteration ended. "
                         "close() (or leaving a with block) stops a command still running.")
      .def("__iter__", [](ExecStream& self) -> ExecStream& { return self; })
      .def("__next__", &ExecStream::Next)
      .def("close", &ExecStream::Close, "Stops reading; a command still running gets SIGTERM.")
      .def_property_readonly("exit_code", &ExecStream::exit_code,
                             "The command's exit code once the iteration ended, else None.")
      .def("__enter__", [](ExecStream& self) -> ExecStream& { return self; })
      .def("__exit__", [](ExecStream& self, py::args) { self.Close(); });
  cls.def("exec", &Exec, py::arg("cmd"), py::kw_only(), py::arg("env") = py::none(),
          py::arg("workdir") = "", py::arg("user") = "", py::arg("tty") = false,
          py::arg("stdin") = py::none(), py::arg("demux") = false, py::arg("stream") = false,
          py::arg("timeout") = py::none(),
          R"doc(Runs cmd (a str split like a shell, or a list) inside the running container, with
env on top of its environment, as docker-py's exec_run. Blocks until it ends and returns
(exit_code, output): output is its stdout and stderr as bytes, interleaved as written, or with
demux=True a (stdout, stderr) pair of bytes. tty=True gives the command a terminal of the
container (its output then is what the terminal shows, stderr None with demux). stdin: bytes
(or str) the command reads on its standard input, then end of file; None: no input.
timeout: seconds; a command still running then gets SIGTERM (and 2 s later its relay is
stopped) and Timeout is raised. stream=True returns at once an ExecStream yielding the output
as it comes. Ctrl-C stops waiting (the command gets SIGTERM). Raises Conflict if the container
is not running or paused, CommandError if cmd cannot be run (exit_code 126 or 127).)doc");
}

}  // namespace mydocker::python
