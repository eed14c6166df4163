// A container's files and streams through the C ABI (1.5): attach, cp as tar streams, export,
// diff, commit, and `update --restart`. Each is a thin wrapper of the core's operation inside
// Guard() (see mydocker_c.cc).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "internal.h"
#include "mydocker/container_files.h"
#include "mydocker/status_macros.h"

namespace mydocker::capi {
namespace {

absl::StatusOr<AttachOptions> ToAttachOptions(const mydocker_attach_options_t* in) {
  AttachOptions out;
  if (in == nullptr) return out;
  MYDOCKER_ASSIGN_OR_RETURN(mydocker_attach_options_t o,
                            CopySized(in, "mydocker_attach_options_t"));
  out.stdio = {o.stdin_fd, o.stdout_fd, o.stderr_fd};
  out.detach_keys = Str(o.detach_keys);
  MYDOCKER_RETURN_IF_ERROR(CheckDetachKeys(out.detach_keys));
  if (o.output != nullptr) {
    mydocker_output_fn fn = o.output;
    void* arg = o.output_arg;
    out.output = [fn, arg](int stream, absl::string_view data) {
      return fn(arg, stream, data.data(), data.size()) == 0;
    };
  }
  return out;
}

absl::Status CheckFd(int fd, const char* what) {
  if (fd >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " is not a descriptor: ", fd));
}

// Docker's numbers for a change kind.
int ChangeKind(char kind) {
  if (kind == 'A') return MYDOCKER_CHANGE_ADDED;
  if (kind == 'D') return MYDOCKER_CHANGE_DELETED;
  return MYDOCKER_CHANGE_MODIFIED;
}

// The array and its strings in one block, for one mydocker_free.
mydocker_change_t* ChangeArray(const std::vector<FileChange>& changes) {
  if (changes.empty()) return nullptr;
  size_t bytes = changes.size() * sizeof(mydocker_change_t);
  for (const FileChange& c : changes) bytes += c.path.size() + 1;
  auto* block = static_cast<char*>(std::malloc(bytes));
  if (block == nullptr) throw std::bad_alloc();
  auto* out = reinterpret_cast<mydocker_change_t*>(block);
  char* text = block + changes.size() * sizeof(mydocker_change_t);
  for (size_t i = 0; i < changes.size(); ++i) {
    std::memcpy(text, changes[i].path.c_str(), changes[i].path.size() + 1);
    out[i].path = text;
    out[i].kind = ChangeKind(changes[i].kind);
    text += changes[i].path.size() + 1;
  }
  return out;
}

absl::StatusOr<CommitOptions> ToCommitOptions(const mydocker_commit_options_t* in) {
  CommitOptions out;
  if (in == nullptr) return out;
  MYDOCKER_ASSIGN_OR_RETURN(mydocker_commit_options_t o,
                            CopySized(in, "mydocker_commit_options_t"));
  out.ref = Str(o.ref);
  out.comment = Str(o.comment);
  out.author = Str(o.author);
  out.changes = Strings(o.changes);
  out.pause = o.no_pause == 0;
  return out;
}

}  // namespace
}  // namespace mydocker::capi

using namespace mydocker::capi;  // NOLINT(build/namespaces)

extern "C" {

int mydocker_container_attach(mydocker_container_t* container,
                              const mydocker_attach_options_t* options, int* exit_code,
                              mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::AttachOptions attach, ToAttachOptions(options));
    MYDOCKER_ASSIGN_OR_RETURN(int code, container->container->Attach(attach));
    if (exit_code != nullptr) *exit_code = code;
    return absl::OkStatus();
  });
}

int mydocker_container_copy_from(mydocker_container_t* container, const char* path, int follow_link,
                                 int out_fd, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(path, "path"));
    MYDOCKER_RETURN_IF_ERROR(CheckFd(out_fd, "out_fd"));
    return container->container->CopyFrom({path, follow_link != 0, ""}, out_fd);
  });
}

int mydocker_container_copy_to(mydocker_container_t* container, const char* dir, int keep_owner,
                               int in_fd, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(dir, "directory"));
    MYDOCKER_RETURN_IF_ERROR(CheckFd(in_fd, "in_fd"));
    return container->container->CopyTo({dir, keep_owner != 0}, in_fd);
  });
}

int mydocker_container_export(mydocker_container_t* container, int out_fd,
                              mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(CheckFd(out_fd, "out_fd"));
    return mydocker::ExportContainer(*container->runtime->runtime, container->container->id(),
                                     out_fd);
  });
}

int mydocker_container_diff(mydocker_container_t* container, mydocker_change_t** changes,
                            size_t* count, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(changes, "changes out-parameter"));
    MYDOCKER_RETURN_IF_ERROR(Require(count, "count out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(
        std::vector<mydocker::FileChange> found,
        mydocker::ContainerDiff(*container->runtime->runtime, container->container->id()));
    *changes = ChangeArray(found);
    *count = found.size();
    return absl::OkStatus();
  });
}

int mydocker_container_commit(mydocker_container_t* container,
                              const mydocker_commit_options_t* options, char** image_id,
                              mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::CommitOptions commit, ToCommitOptions(options));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::Image image, container->runtime->runtime->CommitContainer(
                                                         container->container->id(), commit));
    if (image_id != nullptr) *image_id = CopyString(image.id);
    return absl::OkStatus();
  });
}

int mydocker_container_update_restart_policy(mydocker_container_t* container, const char* policy,
                                             mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(policy, "restart policy"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::RestartPolicy parsed, mydocker::ParseRestartPolicy(policy));
    return container->container->UpdateRestartPolicy(parsed);
  });
}

}  // extern "C"
