// What a registry (or a user naming one) sends the registry client before any manifest:
// the WWW-Authenticate challenge of a 401 and image references with registry hosts, ports and
// digests. Manifests and indexes are archive_json's. The first line picks the parser.
#include "fuzz.h"
#include "registry/remote_reference.h"
#include "registry/www_authenticate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace registry = mydocker::registry;
  auto [which, text] = mydocker::fuzz::FirstLine(mydocker::fuzz::Text(data, size));
  if (which == "challenge") {
    registry::ParseChallenge(text).IgnoreError();
  } else if (which == "reference") {
    registry::ParseRemoteReference(text).IgnoreError();
  }
  return 0;
}
