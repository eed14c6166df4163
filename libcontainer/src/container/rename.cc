// Container::Rename.
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {

absl::Status Container::Rename(absl::string_view new_name) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  return runtime_->state().Rename(id_, new_name);
}

}  // namespace mydocker
