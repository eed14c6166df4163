#include "progress.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "registry/remote_reference.h"

namespace mydocker::registry_program {
namespace {

constexpr int kBarWidth = 50;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string Bar(int64_t current, int64_t total) {
  if (total <= 0) return HumanSize(current);
  int filled = static_cast<int>(kBarWidth * std::min(current, total) / total);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kBarWidth) bar += '>';
  bar.resize(kBarWidth, ' ');
  return absl::StrCat("[", bar, "] ", HumanSize(current), "/", HumanSize(total));
}

}  // namespace

std::string HumanSize(int64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1000 && unit + 1 < sizeof units / sizeof units[0]) {
    value /= 1000;
    ++unit;
  }
  return unit == 0 ? absl::StrCat(bytes, "B") : absl::StrFormat("%.4g%s", value, units[unit]);
}

void PullPrinter::Start(const std::string& ref) {
  auto remote = registry::ParseRemoteReference(ref);
  if (!remote.ok()) return;
  header_ = absl::StrCat(remote->TagOrDigest(), ": Pulling from ", remote->repository);
}

void LayerLines::Show(const std::string& layer, const std::string& text) {
  bool known = shown_.count(layer) != 0;
  if (!known) order_.push_back(layer);
  shown_[layer] = text;
  if (!terminal_ || !known) {
    std::cout << layer << ": " << text << "\n" << std::flush;
    return;
  }
  // Up to the layer's line, rewrite it, back down.
  size_t up = order_.size() -
              static_cast<size_t>(std::find(order_.begin(), order_.end(), layer) - order_.begin());
  std::cout << "\x1b[" << up << "A\r\x1b[2K" << layer << ": " << text << "\x1b[" << up << "B\r"
            << std::flush;
}

void PullPrinter::Event(const PullEvent& e) {
  if (quiet_) return;
  if (e.kind == PullEvent::kResolved) {
    // Once the manifest is known, as Docker: a name that does not exist gets only the error.
    std::cout << header_ << std::endl;
    return;
  }
  if (e.layer.empty()) return;
  if (e.kind != PullEvent::kDownloading) {
    lines_.Show(e.layer, PullEventStatus(e.kind));
    return;
  }
  lines_.Progress(e.layer, "Downloading", e.current, e.total);
}

void LayerLines::Progress(const std::string& layer, const char* verb, int64_t current,
                          int64_t total) {
  if (!terminal_) return;  // plain output: state changes only
  auto now = std::chrono::steady_clock::now();
  auto& last = last_[layer];
  if (current < total && now - last < kRedrawInterval) return;
  last = now;
  Show(layer, absl::StrCat(verb, " ", Bar(current, total)));
}

void PushPrinter::Start(const std::string& repository) {
  if (!quiet_) std::cout << "The push refers to repository [" << repository << "]" << std::endl;
}

void PushPrinter::Event(const PushEvent& e) {
  if (quiet_) return;
  switch (e.kind) {
    case PushEvent::kMounted:
      lines_.Show(e.layer, absl::StrCat(PushEventStatus(e.kind), " ", e.from));
      break;
    case PushEvent::kPushing:
      lines_.Progress(e.layer, PushEventStatus(e.kind), e.current, e.total);
      break;
    default:
      lines_.Show(e.layer, PushEventStatus(e.kind));
      break;
  }
}

void PushPrinter::Done(const PushResult& result) {
  std::cout << result.tag << ": digest: " << result.digest << " size: " << result.size << std::endl;
}

void PullPrinter::Done(const PullResult& result) {
  if (!quiet_) {
    std::cout << "Digest: " << result.digest << "\n"
              << "Status: "
              << (result.downloaded ? "Downloaded newer image for " : "Image is up to date for ")
              << result.reference << "\n";
  }
  std::cout << result.full_reference << std::endl;
}

void PullPrinter::Abort() { std::cout << std::flush; }

}  // namespace mydocker::registry_program
