// The host's side of `cp`: a local path as a tar stream, and a tar stream unpacked into a local
// directory, with the same walker and extractor as the container's side (Container::CopyFrom,
// CopyTo) and image layers: iterative walks that follow nothing, and an extractor that refuses
// absolute names, ".." and entries through symlinks, whatever the stream holds.
#ifndef MYDOCKER_LOCAL_COPY_H_
#define MYDOCKER_LOCAL_COPY_H_

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace mydocker {

// Writes `path` as an uncompressed tar stream to `out_fd` (not owned), its root entry named
// `name` ("" : a directory's contents only). A symlink at the end of `path` is written as a link
// unless `follow_link`. NotFound ("lstat PATH: no such file or directory") when missing.
absl::Status PackLocalPath(const std::string& path, bool follow_link, const std::string& name,
                           int out_fd);

// Unpacks the tar stream read from `in_fd` (not owned) into the existing directory `dir`.
// Owners are the archive's with `keep_owner`, else the caller's.
absl::Status UnpackToLocalDir(const std::string& dir, int in_fd, bool keep_owner);

// Runs `produce` in a thread, writing into a pipe that `consume` reads in the calling thread
// (a tar stream from one walk into one extractor). The consumer's end closes when it returns,
// so a producer still writing gets EPIPE (SIGPIPE must be ignored) instead of blocking. The
// error returned is the side's that failed first.
absl::Status RunThroughPipe(const std::function<absl::Status(int)>& produce,
                            const std::function<absl::Status(int)>& consume);

}  // namespace mydocker

#endif  // MYDOCKER_LOCAL_COPY_H_
