// Container.get_archive / put_archive / export / diff / commit / attach: cp, export, diff and
// commit as tar streams (bytes, or a file descriptor) and Docker SDK-shaped values, and attach
// to a running container's streams.
#include "mydocker/container_files.h"

#include <fcntl.h>
#include <pybind11/stl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

absl::StatusOr<UniqueFd> MemFile() {
  UniqueFd fd(::memfd_create("mydocker-archive", MFD_CLOEXEC));
  if (!fd) return LastErrnoError("memfd_create");
  return fd;
}

absl::StatusOr<std::string> ReadAllFrom(int fd) {
  if (::lseek(fd, 0, SEEK_SET) != 0) return LastErrnoError("seek the archive");
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError("read the archive");
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// Runs `write` into `fd` if given (returns None), else into a memory file returned as bytes.
template <typename Fn>
py::object ToBytesOrFd(const std::optional<int>& fd, Fn write) {
  if (fd) {
    WithoutGil([&] { return write(*fd); });
    return py::none();
  }
  std::string data = WithoutGil([&]() -> absl::StatusOr<std::string> {
    MYDOCKER_ASSIGN_OR_RETURN(UniqueFd mem, MemFile());
    MYDOCKER_RETURN_IF_ERROR(write(mem.get()));
    return ReadAllFrom(mem.get());
  });
  return py::bytes(data);
}

py::object GetArchive(PyContainer& c, const std::string& path, bool follow_link,
                      const std::optional<int>& fd) {
  return ToBytesOrFd(fd, [&](int out) { return c.core().CopyFrom({path, follow_link, ""}, out); });
}

// What the core reads from, given `data`: bytes-like (or str), a file descriptor, or a file
// object (its fileno(), else its read()). Bytes go through a memory file. REQUIRES: the GIL.
class InputFd {
 public:
  InputFd(const py::object& data, const char* what) {
    if (py::isinstance<py::int_>(data)) {
      fd_ = data.cast<int>();
      return;
    }
    if (py::hasattr(data, "fileno") && !py::isinstance<py::bytes>(data)) {
      try {
        fd_ = data.attr("fileno")().cast<int>();
        return;
      } catch (const py::error_already_set&) {  // io.BytesIO: no descriptor, read() below
      }
    }
    py::object read = py::hasattr(data, "read") ? data.attr("read")() : data;
    if (py::isinstance<py::str>(read)) read = read.attr("encode")();
    py::object bytes = py::reinterpret_steal<py::object>(PyBytes_FromObject(read.ptr()));
    if (!bytes) throw py::error_already_set();
    std::string content = bytes.cast<std::string>();
    mem_ = WithoutGil([&]() -> absl::StatusOr<UniqueFd> {
      MYDOCKER_ASSIGN_OR_RETURN(UniqueFd mem, MemFile());
      MYDOCKER_RETURN_IF_ERROR(WriteAll(mem.get(), content, what));
      if (::lseek(mem.get(), 0, SEEK_SET) != 0) return LastErrnoError(absl::StrCat("seek ", what));
      return mem;
    });
    fd_ = mem_.get();
  }
  int fd() const { return fd_; }

 private:
  UniqueFd mem_;
  int fd_ = -1;
};

void PutArchive(PyContainer& c, const std::string& path, const py::object& data, bool keep_owner) {
  CopyToOptions options{path, keep_owner};
  InputFd in(data, "the archive");
  WithoutGil([&] { return c.core().CopyTo(options, in.fd()); });
}

// The output an attach receives: collected, or handed to a Python callback (with the GIL)
// whose true result, or exception, detaches.
struct AttachSink {
  bool want_stdout = true;
  bool want_stderr = true;
  py::object callback;
  std::string collected;
  std::optional<py::error_already_set> error;

  bool operator()(int stream, absl::string_view data) {
    if ((stream == 1 && !want_stdout) || (stream == 2 && !want_stderr)) return true;
    if (callback.is_none()) {
      collected.append(data.data(), data.size());
      return true;
    }
    py::gil_scoped_acquire gil;
    try {
      return !py::bool_(callback(stream, py::bytes(data.data(), data.size())));
    } catch (py::error_already_set& e) {
      error.emplace(std::move(e));
      return false;
    }
  }
};

py::tuple Attach(PyContainer& c, const py::object& input, bool want_stdout, bool want_stderr,
                 const std::string& detach_keys, const py::object& callback) {
  ThrowIfError(CheckDetachKeys(detach_keys));
  std::optional<InputFd> in;
  if (!input.is_none()) in.emplace(input, "the input");
  AttachSink sink{want_stdout, want_stderr, callback, {}, {}};
  AttachOptions options;
  options.stdio.in = in ? in->fd() : -1;
  options.detach_keys = detach_keys;
  options.output = [&sink](int stream, absl::string_view data) { return sink(stream, data); };
  absl::StatusOr<int> code;
  {
    py::gil_scoped_release release;
    code = c.core().Attach(options);
  }
  if (sink.error) throw std::move(*sink.error);
  py::object exit_code = py::none();
  if (code.ok()) {
    exit_code = py::int_(*code);
  } else if (!absl::IsCancelled(code.status())) {
    ThrowStatus(code.status());
  }
  return py::make_tuple(exit_code, py::bytes(sink.collected));
}

py::list Diff(PyContainer& c) {
  std::vector<FileChange> changes = WithoutGil([&] { return ContainerDiff(*c.runtime(), c.id()); });
  py::list out;
  for (const FileChange& change : changes) {
    py::dict item;
    item["Path"] = change.path;
    item["Kind"] = change.kind == 'C' ? 0 : change.kind == 'A' ? 1 : 2;  // Docker's numbers
    out.append(item);
  }
  return out;
}

Image Commit(PyContainer& c, const std::string& repository, const std::string& message,
             const std::string& author, const std::vector<std::string>& changes, bool pause) {
  CommitOptions options{repository, message, author, pause, changes};
  return WithoutGil([&] { return c.runtime()->CommitContainer(c.id(), options); });
}

}  // namespace

void DefineContainerFiles(py::class_<PyContainer>& cls) {
  cls.def("get_archive", &GetArchive, py::arg("path"), py::kw_only(),
          py::arg("follow_link") = false, py::arg("fd") = py::none(),
          "`cp` out of the container: `path` (resolved inside the container's root) as an "
          "uncompressed tar whose root entry is its base name (its contents only if it ends in "
          "'/.'), returned as bytes, or written to the file descriptor `fd` (then None). "
          "follow_link copies what a final symlink points to. Raises NotFound if missing.")
      .def("put_archive", &PutArchive, py::arg("path"), py::arg("data"), py::kw_only(),
           py::arg("keep_owner") = false,
           "`cp` into the container: unpacks a tar (bytes, a file descriptor or a file "
           "object) into the directory `path` inside the container's root. Owners become "
           "root's unless keep_owner. Raises InvalidArgument for a path that is not a "
           "directory or a hostile archive (absolute names, '..', links out).")
      .def(
          "export",
          [](PyContainer& c, const std::optional<int>& fd) {
            return ToBytesOrFd(fd,
                               [&](int out) { return ExportContainer(*c.runtime(), c.id(), out); });
          },
          py::kw_only(), py::arg("fd") = py::none(),
          "The container's root file system (no volumes) as an uncompressed tar: bytes, or "
          "written to the file descriptor `fd` (then None).")
      .def("diff", &Diff,
           "Its changes against its image, as Docker's SDK gives them: a list of "
           "{'Path': '/x', 'Kind': 0 (changed), 1 (added) or 2 (deleted)} sorted by path.")
      .def("commit", &Commit, py::arg("repository") = "", py::kw_only(), py::arg("message") = "",
           py::arg("author") = "", py::arg("changes") = std::vector<std::string>{},
           py::arg("pause") = true,
           "A new image of the container's changes, recording its configuration (Env, Cmd, "
           "Entrypoint, WorkingDir, User, StopSignal) and then `changes` (Dockerfile "
           "instructions: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, "
           "STOPSIGNAL), tagged `repository` ('name[:tag]') unless empty. A running container is "
           "paused meanwhile unless pause=False. Raises InvalidArgument for a bad change.")
      .def("attach", &Attach, py::arg("input") = py::none(), py::kw_only(),
           py::arg("stdout") = true, py::arg("stderr") = true, py::arg("detach_keys") = "",
           py::arg("callback") = py::none(),
           R"doc(`attach`: joins the running container's streams through its monitor, as any
number of other clients may at once. input: None (no input), bytes or str, a file descriptor or
a file object, relayed to its stdin (a container created without stdin open takes none).
detach_keys: Docker's format ("ctrl-p,ctrl-q"), watched in the input of a container with a
terminal. Without callback the chosen streams are collected; callback(stream, data), stream 1
or 2, gets them as they come instead and detaches by returning True (an exception it raises
detaches too, and is raised here).

Returns (exit_code, output) once the container ended, or (None, output) when detached (the
container goes on). The GIL is released meanwhile. Raises Conflict if it is not running.)doc");
}

}  // namespace mydocker::python
