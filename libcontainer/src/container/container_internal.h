// What the files of libcontainer/src/container/ share and Runtime uses of them.
#ifndef MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_
#define MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_

#include "mydocker/container.h"
#include "mydocker/container_state.h"
#include "mydocker/state_store.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

class Host;

// ReconcileState (container.h) asking `host` whether the recorded processes still exist.
ContainerState ReconcileState(ContainerState state, Host& host);

// ReconcileState for a record just read from `store`: where it finds both processes gone, the
// record is read again first (the monitor may have recorded the end and exited meanwhile), so
// an end that was recorded is never reported as unknown.
ContainerState ReconcileRecord(ContainerState state, Host& host, const StateStore& store);

// A handle on the container's init, which must be running: FailedPrecondition ("container ID
// is not running") if the record says otherwise or the process is gone.
absl::StatusOr<UniqueFd> OpenRunningInit(Host& host, const ContainerState& state);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_
