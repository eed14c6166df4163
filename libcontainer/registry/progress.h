// Docker's pull output. On a terminal, one line per layer rewritten in place as its state
// changes ("Downloading [=====>     ] 1.2MB/3.4MB"); otherwise each state change once as a plain
// line, without the byte counts.
#ifndef MYDOCKER_REGISTRY_PROGRAM_PROGRESS_H_
#define MYDOCKER_REGISTRY_PROGRAM_PROGRESS_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "mydocker/pull.h"

namespace mydocker::registry_program {

// "1.2MB" as Docker writes sizes (decimal units).
std::string HumanSize(int64_t bytes);

// One line per layer: on a terminal rewritten in place, otherwise each change once.
class LayerLines {
 public:
  explicit LayerLines(bool terminal) : terminal_(terminal) {}
  void Show(const std::string& layer, const std::string& text);
  // "<verb> [====>   ] 1.2MB/3.4MB", on a terminal only, redrawn at most 10 times a second.
  void Progress(const std::string& layer, const char* verb, int64_t current, int64_t total);

 private:
  bool terminal_;
  std::vector<std::string> order_;            // layers in the order first seen
  std::map<std::string, std::string> shown_;  // layer -> its line's text
  std::map<std::string, std::chrono::steady_clock::time_point> last_;  // of a progress line
};

class PullPrinter {
 public:
  PullPrinter(bool quiet, bool terminal) : quiet_(quiet), lines_(terminal) {}
  // Takes the reference; the header line is printed when the manifest is resolved.
  void Start(const std::string& ref);
  void Event(const PullEvent& e);
  void Done(const PullResult& result);
  void Abort();

 private:
  bool quiet_;
  LayerLines lines_;
  std::string header_;  // "latest: Pulling from library/busybox"
};

// Docker's push output: "The push refers to repository [NAME]", a line per blob ("Pushed",
// "Layer already exists", "Mounted from REPO"), then "TAG: digest: sha256:... size: N".
class PushPrinter {
 public:
  PushPrinter(bool quiet, bool terminal) : quiet_(quiet), lines_(terminal) {}
  void Start(const std::string& repository);
  void Event(const PushEvent& e);
  void Done(const PushResult& result);

 private:
  bool quiet_;
  LayerLines lines_;
};

}  // namespace mydocker::registry_program

#endif  // MYDOCKER_REGISTRY_PROGRAM_PROGRESS_H_
