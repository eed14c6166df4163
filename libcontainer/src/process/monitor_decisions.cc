#include "process/monitor_decisions.h"

#include <signal.h>
#include <sys/wait.h>

#include <string>

#include "mydocker/status_macros.h"
#include "process/protocol.h"

namespace mydocker::process {

bool MayBeOomKill(int wait_status) {
  return WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL;
}

RecordOutcome DecideEnd(const ContainerState& current, const ProcessRef& this_run, int wait_status,
                        bool oom_killed, bool have_lock, absl::Time now) {
  bool restarting = !current.restarting.empty() && current.restarting == this_run;
  if (current.auto_remove && !restarting && have_lock) return {true, {}};
  RecordOutcome outcome{false, current};
  ContainerState& s = outcome.record;
  s.status = ContainerStatus::kStopped;
  s.exit_code = ExitCodeFromWaitStatus(wait_status);
  s.oom_killed = oom_killed;
  s.finished = now;
  return outcome;
}

RecordOutcome DecideFailedStart(const ContainerState& state, const absl::Status& status) {
  if (state.auto_remove && state.restarting.empty()) return {true, {}};
  RecordOutcome outcome{false, state};
  ContainerState& s = outcome.record;
  s.status = ContainerStatus::kCreated;
  s.error = std::string(status.message());
  s.exit_code = ExitCodeOf(status);
  s.init = {};
  return outcome;
}

}  // namespace mydocker::process
