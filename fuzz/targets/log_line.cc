// One line of a container's JSON log (logs.h), as `logs` reads it back.
#include "fuzz.h"
#include "mydocker/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mydocker::ParseLogLine(mydocker::fuzz::Text(data, size)).IgnoreError();
  return 0;
}
