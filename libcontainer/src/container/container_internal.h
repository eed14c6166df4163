// What the files of libcontainer/src/container/ share and Runtime uses of them.
#ifndef MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_
#define MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_

#include "mydocker/container.h"
#include "mydocker/container_state.h"
#include "mydocker/state_store.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

class Host;
class Runtime;

// ReconcileState (container.h) asking `host` whether the recorded processes still exist.
ContainerState ReconcileState(ContainerState state, Host& host);

// ReconcileState for a record just read from `store`: where it finds both processes gone, the
// record is read again first (the monitor may have recorded the end and exited meanwhile), so
// an end that was recorded is never reported as unknown.
ContainerState ReconcileRecord(ContainerState state, Host& host, const StateStore& store);

// A commit that died (killed) while it marked the record (ContainerState::committing) is undone:
// an active container thawed and recorded running, the mark cleared, the image store's
// temporary layers of dead operations removed. Anything else is returned as it is.
// REQUIRES: the caller holds the container's lock.
ContainerState UndoDeadCommit(Runtime& runtime, ContainerState state);

// The same for a reader without the lock: done if the lock is free now (a dead commit's is),
// else left to the next reader.
ContainerState UndoDeadCommitUnlocked(Runtime& runtime, ContainerState state);

// A handle on the container's init, which must be running: FailedPrecondition ("container ID
// is not running") if the record says otherwise or the process is gone.
absl::StatusOr<UniqueFd> OpenRunningInit(Host& host, const ContainerState& state);

// A user's stop, kill or rm -f of the active container `id` (restart.cc): recorded under its
// lock as Docker's HasBeenManuallyStopped and, with `cancel`, as the end of the restart policy
// for the current run (Docker's ExitOnNext); a monitor waiting out a back-off is then told to
// end (SIGTERM). Returns the record as saved.
absl::StatusOr<ContainerState> RecordUserStop(Runtime& runtime, const std::string& id, bool cancel);

// FailedPrecondition with Docker's message if the container waits to be restarted.
absl::Status RefuseRestarting(const ContainerState& state);

// Gives `sink` the entries of the log file open at `fd` (JSON lines or records, told apart by
// the first byte), with options' tail, since and until; for a log that is not followed and has
// no rotated files. `path` names it in errors.
absl::Status ReadLogFile(int fd, const LogOptions& options, const LogSink& sink,
                         const std::string& path);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_
