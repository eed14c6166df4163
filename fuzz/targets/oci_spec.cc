// What mydocker-runc reads from its callers (libcontainer/src/oci/): a bundle's config.json,
// `update --resources` and `exec --process` documents, the hooks `create` keeps, its own state
// record, cgroupsPath and container ids. The first line picks the parser.
#include "fuzz.h"
#include "oci/record.h"
#include "oci/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace oci = mydocker::oci;
  auto [which, text] = mydocker::fuzz::FirstLine(mydocker::fuzz::Text(data, size));
  if (which == "config") {
    oci::ParseSpec(text, "/bundle").IgnoreError();
  } else if (which == "resources") {
    oci::ParseResources(text, "resources.json").IgnoreError();
  } else if (which == "hooks") {
    oci::ParseHooks(text).IgnoreError();
  } else if (which == "process") {
    // As `exec --process F` reads it: in place of the bundle's process, then parsed.
    absl::StatusOr<std::string> spliced =
        oci::SpliceJson(R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {}})",
                        "config.json", {"process"}, text, "process.json");
    if (spliced.ok()) oci::ParseSpec(*spliced, "/bundle").IgnoreError();
  } else if (which == "record") {
    oci::RecordFromJson(text).IgnoreError();
  } else if (which == "cgroups-path") {
    oci::CgroupPath(text, "fuzz").IgnoreError();
  } else if (which == "id") {
    oci::ValidateId(text).IgnoreError();
  }
  return 0;
}
