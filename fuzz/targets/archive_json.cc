// The documents of a docker-archive and an OCI layout (image/archive_json.h) and the image
// configuration and record (image/image_json.h): the first line picks the parser.
#include "image/archive_json.h"

#include "fuzz.h"
#include "image/image_json.h"
#include "mydocker/image_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [which, json] = mydocker::fuzz::FirstLine(mydocker::fuzz::Text(data, size));
  if (which == "index") {
    mydocker::ParseOciIndex(json, "index.json").IgnoreError();
  } else if (which == "manifest") {
    mydocker::ParseOciManifest(json, "manifest").IgnoreError();
  } else if (which == "docker") {
    mydocker::ParseDockerManifest(json, "manifest.json").IgnoreError();
  } else if (which == "repositories") {
    mydocker::ParseRepositories(json, "repositories").IgnoreError();
  } else if (which == "config") {
    mydocker::Image image;
    if (mydocker::ParseImageConfig(json, &image, "config").ok()) {
      mydocker::ValidateRunConfig(image.config, "config").IgnoreError();
    }
  } else if (which == "record") {
    mydocker::ParseImageRecord(json, "record").IgnoreError();
  } else if (which == "reference") {
    mydocker::ParseImageReference(json).IgnoreError();
  }
  return 0;
}
