// What a container's monitor decides about the container's record, as pure functions: the
// monitor (monitor.cc) reads the record and the kernel's answers, asks here, and carries out
// the answer. Unit-tested in monitor_decisions_test.cc without processes or root.
#ifndef MYDOCKER_PROCESS_MONITOR_DECISIONS_H_
#define MYDOCKER_PROCESS_MONITOR_DECISIONS_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "mydocker/container_state.h"

namespace mydocker::process {

// What becomes of the record: its files deleted (a --rm container), or `record` saved.
struct RecordOutcome {
  bool remove = false;
  ContainerState record;  // meaningful when !remove
};

// True if an init that ended with `wait_status` may have been killed by the OOM killer (a
// SIGKILL): only then are the cgroup's counters worth reading.
bool MayBeOomKill(int wait_status);

// The end of the run whose init was `this_run`, which ended with `wait_status`; `current` is
// the record as stored now (a restart may have marked it since the start). A --rm container is
// removed, unless this run is the one a restart is stopping (Container::Restart marks the
// record with the init it stops) or the monitor could not take the container's lock (removal
// needs it; the end is then recorded instead, so that nothing reads "running" afterwards).
RecordOutcome DecideEnd(const ContainerState& current, const ProcessRef& this_run, int wait_status,
                        bool oom_killed, bool have_lock, absl::Time now);

// A start that failed with `status` (its exit code payload, 125 if none, is what the client
// reports). Docker keeps such a container in state "created" with the reason; --rm removes it,
// except during a restart, which keeps it (the restarter reports the error).
RecordOutcome DecideFailedStart(const ContainerState& state, const absl::Status& status);

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_MONITOR_DECISIONS_H_
