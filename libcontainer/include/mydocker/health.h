// Docker's health checks (HEALTHCHECK, run/create --health-*): the configuration, the state the
// container's monitor records (State.Health) and the rules that turn a probe's result into a
// status. Pure functions, unit-tested; the monitor runs the probes (docs/health.md).
#ifndef MYDOCKER_HEALTH_H_
#define MYDOCKER_HEALTH_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mydocker {

// Docker's container/image Healthcheck. A zero duration or count means "inherit" (from the
// image) and then Docker's default.
struct HealthConfig {
  // ["CMD", arg...], ["CMD-SHELL", command], ["NONE"] (disabled); empty: inherit.
  std::vector<std::string> test;
  absl::Duration interval = absl::ZeroDuration();        // default 30 s
  absl::Duration timeout = absl::ZeroDuration();         // default 30 s
  absl::Duration start_period = absl::ZeroDuration();    // default 0
  absl::Duration start_interval = absl::ZeroDuration();  // default 5 s
  int retries = 0;                                       // default 3

  bool operator==(const HealthConfig&) const = default;
  // A check to run: a CMD or CMD-SHELL test.
  bool Enabled() const;
};

inline constexpr absl::Duration kDefaultHealthInterval = absl::Seconds(30);
inline constexpr absl::Duration kDefaultHealthTimeout = absl::Seconds(30);
inline constexpr absl::Duration kDefaultHealthStartInterval = absl::Seconds(5);
inline constexpr int kDefaultHealthRetries = 3;
// Docker keeps the last 5 results and 4 KiB of each one's output.
inline constexpr size_t kHealthLogEntries = 5;
inline constexpr size_t kHealthOutputLimit = 4096;

// Docker's checks of a configuration (durations 0 or at least 1 ms, retries not negative, a
// test that is CMD, CMD-SHELL or NONE), with its messages.
absl::Status ValidateHealthConfig(const HealthConfig& config);
// The container's configuration on top of the image's: a field left zero takes the image's.
// --no-healthcheck is a test of ["NONE"]. nullopt: no check at all.
std::optional<HealthConfig> MergeHealthConfig(const std::optional<HealthConfig>& container,
                                              const std::optional<HealthConfig>& image);
// The command the probe executes: CMD's arguments, or `/bin/sh -c COMMAND` for CMD-SHELL.
std::vector<std::string> HealthCommand(const HealthConfig& config);

// Docker's JSON object (durations in nanoseconds, zero fields left out).
std::string HealthConfigToJson(const HealthConfig& config);
absl::StatusOr<HealthConfig> HealthConfigFromJson(absl::string_view json);

// One probe's result (State.Health.Log[]). A probe that timed out has exit code -1.
struct HealthResult {
  absl::Time start;
  absl::Time end;
  int exit_code = 0;
  std::string output;
  bool operator==(const HealthResult&) const = default;
};

inline constexpr char kHealthStarting[] = "starting";
inline constexpr char kHealthHealthy[] = "healthy";
inline constexpr char kHealthUnhealthy[] = "unhealthy";

// State.Health: what `inspect` shows and `ps` summarises.
struct HealthState {
  std::string status = kHealthStarting;
  int failing_streak = 0;
  std::vector<HealthResult> log;  // oldest first, at most kHealthLogEntries
  bool operator==(const HealthState&) const = default;
};

std::string HealthStateToJson(const HealthState& state);
absl::StatusOr<HealthState> HealthStateFromJson(absl::string_view json);

// Docker's rules for one result: a success makes the container healthy and ends the streak; a
// failure adds to the streak (not while the status is still "starting" within the start
// period) and makes it unhealthy once the streak reaches the retries. `started`: when the
// container's process started.
void RecordHealthResult(HealthState& state, HealthResult result, const HealthConfig& config,
                        absl::Time started);
// The wait before the next probe, counted from the end of the last one: the start interval
// while starting within the start period, else the interval.
absl::Duration HealthProbeDelay(const HealthState& state, const HealthConfig& config,
                                absl::Time started, absl::Time now);
absl::Duration HealthTimeout(const HealthConfig& config);
// Output kept as Docker keeps it: the first 4 KiB.
std::string TruncateHealthOutput(absl::string_view output);

}  // namespace mydocker

#endif  // MYDOCKER_HEALTH_H_
