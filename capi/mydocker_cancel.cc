// Cancellation tokens (1.6): one thread cancels what another waits for (a container's end, an
// exec, a log follow). Polling waits watch the token's eventfd; waits on a condition variable
// register a wake-up.
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "internal.h"

namespace mydocker::capi {

absl::Status CheckCancel(const mydocker_cancel_t* cancel, const char* what) {
  if (cancel != nullptr && cancel->cancelled.load()) {
    return absl::CancelledError(absl::StrCat(what, " was cancelled"));
  }
  return absl::OkStatus();
}

CancelWakeup::CancelWakeup(mydocker_cancel_t* cancel, std::function<void()> wake)
    : cancel_(cancel) {
  if (cancel_ == nullptr) return;
  std::lock_guard<std::mutex> lock(cancel_->mu);
  it_ = cancel_->wakeups.insert(cancel_->wakeups.end(), std::move(wake));
}

CancelWakeup::~CancelWakeup() {
  if (cancel_ == nullptr) return;
  std::lock_guard<std::mutex> lock(cancel_->mu);
  cancel_->wakeups.erase(it_);
}

}  // namespace mydocker::capi

using namespace mydocker::capi;  // NOLINT(build/namespaces)

extern "C" {

int mydocker_cancel_create(mydocker_cancel_t** cancel, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(cancel, "cancel out-parameter"));
    auto token = std::make_unique<mydocker_cancel_t>();
    token->event.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!token->event) return mydocker::LastErrnoError("eventfd for a cancellation token");
    *cancel = token.release();
    return absl::OkStatus();
  });
}

void mydocker_cancel(mydocker_cancel_t* cancel) {
  if (cancel == nullptr) return;
  std::lock_guard<std::mutex> lock(cancel->mu);
  if (cancel->cancelled.exchange(true)) return;
  // Readable from now on (never read back): every poll on it wakes, now and later.
  uint64_t one = 1;
  (void)!::write(cancel->event.get(), &one, sizeof one);
  for (const auto& wake : cancel->wakeups) wake();
}

int mydocker_cancel_requested(const mydocker_cancel_t* cancel) {
  return cancel != nullptr && cancel->cancelled.load() ? 1 : 0;
}

void mydocker_cancel_destroy(mydocker_cancel_t* cancel) { delete cancel; }

}  // extern "C"
