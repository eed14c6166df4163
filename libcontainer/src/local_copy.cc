#include "mydocker/local_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "image/layer_packer.h"
#include "image/layer_unpacker.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

absl::Status PackLocalPath(const std::string& path, bool follow_link, const std::string& name,
                           int out_fd) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC | (follow_link ? 0 : O_NOFOLLOW)));
  if (!fd) return LastErrnoError(absl::StrCat("lstat ", path));
  PackOptions options;
  options.overlay_form = false;
  return LayerPacker::PackObject(fd.get(), name, out_fd, options);
}

absl::Status UnpackToLocalDir(const std::string& dir, int in_fd, bool keep_owner) {
  UniqueFd in(::fcntl(in_fd, F_DUPFD_CLOEXEC, 0));
  if (!in) return LastErrnoError("duplicate the archive's descriptor");
  UnpackOptions options;
  options.whiteouts = false;
  if (!keep_owner) options.owner = std::make_pair(::geteuid(), ::getegid());
  return LayerUnpacker::UnpackFd(std::move(in), "the archive", dir, options).status();
}

absl::Status RunThroughPipe(const std::function<absl::Status(int)>& produce,
                            const std::function<absl::Status(int)>& consume) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  UniqueFd read_end(fds[0]);
  auto write_end = std::make_shared<UniqueFd>(fds[1]);
  absl::Status produced;
  std::atomic<bool> produced_first{false};
  std::thread producer([&produced, &produced_first, &produce, write_end] {
    produced = produce(write_end->get());
    produced_first = true;
    write_end->reset();
  });
  absl::Status consumed = consume(read_end.get());
  // The first side to fail tells why: a producer that failed first cut the stream short; a
  // consumer that gave up first left the producer with a closed pipe.
  bool producer_ended_first = produced_first;
  read_end.reset();
  producer.join();
  if (!produced.ok() && (producer_ended_first || consumed.ok())) return produced;
  return consumed;
}

}  // namespace mydocker
