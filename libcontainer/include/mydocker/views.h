// Docker-shaped views of mydocker's records: what `docker inspect`, `docker ps --format json`,
// `docker image inspect`, `docker images --format json` and `docker volume inspect` print.
// One writer for every front end: the CLI prints these, the C API returns them, Python parses
// them into dicts. The records themselves (state.json, config.json) keep their own shapes.
#ifndef MYDOCKER_VIEWS_H_
#define MYDOCKER_VIEWS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mydocker/container.h"
#include "mydocker/container_config.h"
#include "mydocker/container_state.h"
#include "mydocker/housekeeping.h"
#include "mydocker/image_store.h"
#include "mydocker/network.h"
#include "mydocker/volume_store.h"

namespace mydocker::views {

// kIndented: four spaces a level, as `docker inspect` prints.
enum class JsonStyle { kCompact, kIndented };

// "Less than a second", "3 seconds", "About a minute", "5 minutes", "2 hours", "3 days" ...
std::string HumanDuration(absl::Duration d);
// 1000-based like Docker: "0B", "1.23kB", "4.5MB", "1.2GB".
std::string HumanSize(int64_t bytes);

// Docker's name of a status: "created", "running", "paused", "exited".
std::string StatusName(ContainerStatus status);
// Docker's STATUS column: "Up 3 minutes", "Up 2 hours (Paused)", "Exited (0) 2 seconds ago".
std::string StatusText(const ContainerState& state, absl::Time now);

// `docker inspect CONTAINER`: Id, Created, Path, Args, State, Image, Name, HostConfig,
// GraphDriver, Config, NetworkSettings (from `networks`, the container's attachments from
// network::LoadAttachments; empty: only lo) and "Spec", the OCI-shaped configuration the
// container runs with.
std::string ContainerInspect(const ContainerState& state, const ContainerConfig& config,
                             JsonStyle style = JsonStyle::kCompact,
                             const std::vector<NetworkAttachment>& networks = {});
// One line of `docker ps --format json` (Ports and Networks from `networks`).
std::string ContainerSummary(const ContainerState& state, absl::Time now,
                             const std::vector<NetworkAttachment>& networks = {});
// Docker's PORTS column: "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp"; empty without ports.
std::string PortsText(const std::vector<NetworkAttachment>& networks);
// Docker's NETWORKS column: "bridge", "front,back", "host"; "none" without a network.
std::string NetworksText(const std::vector<NetworkAttachment>& networks);

// `docker image inspect IMAGE`. `config_json` is the image's configuration document as stored
// (author, architecture, os and the whole "config" are taken from it as they are); when it is
// empty, Config is written from image.config.
std::string ImageInspect(const Image& image, absl::string_view config_json,
                         JsonStyle style = JsonStyle::kCompact);
// An image id as `docker images` shows it: 12 hex digits, or the whole "sha256:..." id.
std::string DisplayImageId(absl::string_view id, bool no_trunc);
// One line of `docker images --format json`, for one tag of the image ("<none>" when untagged).
// `no_trunc` keeps the whole id, else the 12 hex digits Docker shows.
std::string ImageSummary(const Image& image, absl::string_view repository, absl::string_view tag,
                         absl::Time now, bool no_trunc);

// `docker network inspect NAME`: the record, its IPAM and the ids of the containers with an
// address on it (NetworkStore::Users).
std::string NetworkInspect(const NetworkRecord& record, const std::vector<std::string>& containers,
                           JsonStyle style = JsonStyle::kCompact);

// `docker volume inspect NAME`.
std::string VolumeInspect(const Volume& volume, JsonStyle style = JsonStyle::kCompact);

// The processes of a container as data: [{"pid", "ppid", "uid", "state", "cpuSeconds",
// "command"}, ...].
std::string ProcessList(const std::vector<ProcessInfo>& processes);

// What a front end adds to the features document about itself.
struct FeaturesFacts {
  std::string version;  // "1.1.0"
  std::string abi;      // the C ABI's newest version node, "MYDOCKER_1.1"; empty without one
};
// What this build supports, shaped like the OCI runtime spec's features document (`runc
// features`): ociVersionMin/Max, linux.namespaces, linux.cgroup, linux.seccomp (actions,
// operators, archs), and mydocker's version and ABI as annotations ("io.mydocker.*").
std::string Features(const FeaturesFacts& facts, JsonStyle style = JsonStyle::kCompact);

// What a prune removed, as the Engine API answers: the `sections` asked for among
// ContainersDeleted, NetworksDeleted, VolumesDeleted (names and ids), ImagesDeleted
// ([{"Untagged": REF} | {"Deleted": ID}]), then SpaceReclaimed (bytes).
enum PruneSection : unsigned {
  kPruneContainers = 1,
  kPruneImages = 2,
  kPruneNetworks = 4,
  kPruneVolumes = 8,
};
std::string PruneReportJson(const PruneReport& report, unsigned sections);

// `system df`: {"LayersSize", "Summary": [{"Type" ("Images", "Containers", "Local Volumes",
// "Build Cache"), "TotalCount", "Active", "Size", "Reclaimable"} (bytes)]}; `verbose` (`-v`)
// adds the Engine API's lists: "Images" [{"Id", "RepoTags", "Created", "Size", "Containers"}],
// "Containers" [{"Id", "Names", "Image", "ImageID", "Command", "Created", "State", "Status",
// "SizeRw"}], "Volumes" [{"Name", "Driver", "Mountpoint", "Labels", "UsageData": {"Size",
// "RefCount"}}] and "BuildCache" [].
std::string DiskUsageJson(const DiskUsage& usage, bool verbose);

// A JSON array of strings: ["a","b"].
std::string StringArray(const std::vector<std::string>& values);

// Joins views into a JSON array: "[a,b]" compact; indented, each element one level in, as
// `docker inspect` prints several objects.
std::string Array(const std::vector<std::string>& objects, JsonStyle style = JsonStyle::kCompact);

}  // namespace mydocker::views

#endif  // MYDOCKER_VIEWS_H_
