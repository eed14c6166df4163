#include "mydocker/signals.h"

#include <csignal>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace mydocker {
namespace {

struct Named {
  const char* name;
  int number;
};
constexpr Named kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"PWR", SIGPWR},       {"SYS", SIGSYS}};

}  // namespace

absl::StatusOr<int> ParseSignal(absl::string_view text) {
  int number = 0;
  if (absl::SimpleAtoi(text, &number)) {
    if (number >= 1 && number <= SIGRTMAX) return number;
  } else {
    std::string upper = absl::AsciiStrToUpper(text);
    absl::string_view bare = absl::StripPrefix(upper, "SIG");
    for (const Named& s : kSignals) {
      if (bare == s.name) return s.number;
    }
    // RTMIN+N / RTMAX-N
    if (absl::ConsumePrefix(&bare, "RTMIN+") && absl::SimpleAtoi(bare, &number) &&
        SIGRTMIN + number <= SIGRTMAX) {
      return SIGRTMIN + number;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid signal \"", text, "\""));
}

std::string SignalName(int signal) {
  for (const Named& s : kSignals) {
    if (s.number == signal) return absl::StrCat("SIG", s.name);
  }
  return absl::StrCat(signal);
}

}  // namespace mydocker
