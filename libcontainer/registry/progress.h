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

std::string EnvOr(const char* name, const std::string& fallback = "");

// "1.2MB" as Docker writes sizes (decimal units).
std::string HumanSize(int64_t bytes);

class PullPrinter {
 public:
  PullPrinter(bool quiet, bool terminal) : quiet_(quiet), terminal_(terminal) {}
  // Takes the reference; the header line is printed when the manifest is resolved.
  void Start(const std::string& ref);
  void Event(const PullEvent& e);
  void Done(const PullResult& result);
  void Abort();

 private:
  void Show(const std::string& layer, const std::string& text);

  bool quiet_, terminal_;
  std::string header_;                        // "latest: Pulling from library/busybox"
  std::vector<std::string> order_;            // layers in the order first seen
  std::map<std::string, std::string> shown_;  // layer -> its line's text
  std::map<std::string, std::chrono::steady_clock::time_point> last_;  // of a progress line
};

}  // namespace mydocker::registry_program

#endif  // MYDOCKER_REGISTRY_PROGRAM_PROGRESS_H_
