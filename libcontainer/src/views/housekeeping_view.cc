// The prunes' reports and `system df` as the Engine API answers them (views.h).
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "mydocker/views.h"
#include "view_json.h"

namespace mydocker::views {

std::string PruneReportJson(const PruneReport& report, unsigned sections) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  if (sections & kPruneContainers) json::KeyStringArray(w, "ContainersDeleted", report.containers);
  if (sections & kPruneNetworks) json::KeyStringArray(w, "NetworksDeleted", report.networks);
  if (sections & kPruneVolumes) json::KeyStringArray(w, "VolumesDeleted", report.volumes);
  if (sections & kPruneImages) {
    // "untagged: REF" / "deleted: ID" lines become {"Untagged": REF} / {"Deleted": ID}.
    json::KeyObjectArray(w, "ImagesDeleted", report.images, [&](const std::string& line) {
      bool untagged = absl::StartsWith(line, "untagged: ");
      json::KeyString(w, untagged ? "Untagged" : "Deleted", line.substr(line.find(' ') + 1));
    });
  }
  json::KeyInt(w, "SpaceReclaimed", report.reclaimed);
  w.EndObject();
  return buf.GetString();
}

std::string DiskUsageJson(const DiskUsage& du, bool verbose) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyInt(w, "LayersSize", du.images.size);
  const std::pair<const char*, DiskUsage::Summary> rows[] = {{"Images", du.images},
                                                             {"Containers", du.containers},
                                                             {"Local Volumes", du.volumes},
                                                             {"Build Cache", {}}};
  json::KeyObjectArray(w, "Summary", rows, [&](const auto& row) {
    json::KeyString(w, "Type", row.first);
    json::KeyInt(w, "TotalCount", row.second.total);
    json::KeyInt(w, "Active", row.second.active);
    json::KeyInt(w, "Size", row.second.size);
    json::KeyInt(w, "Reclaimable", row.second.reclaimable);
  });
  if (verbose) {
    json::KeyObjectArray(w, "Images", du.image_list, [&](const DiskUsage::ImageUsage& iu) {
      json::KeyString(w, "Id", iu.image.id);
      json::KeyStringArray(w, "RepoTags", iu.image.tags);
      json::KeyInt(w, "Created", absl::ToUnixSeconds(iu.image.created));
      json::KeyInt(w, "Size", iu.image.size);
      json::KeyInt(w, "Containers", iu.containers);
    });
    absl::Time now = absl::Now();
    json::KeyObjectArray(w, "Containers", du.container_list,
                         [&](const DiskUsage::ContainerUsage& cu) {
                           const ContainerState& s = cu.state;
                           json::KeyString(w, "Id", s.id);
                           json::KeyStringArray(w, "Names", {"/" + s.name});
                           json::KeyString(w, "Image", s.image);
                           json::KeyString(w, "ImageID", s.image_id);
                           json::KeyString(w, "Command", absl::StrJoin(s.command, " "));
                           json::KeyInt(w, "Created", absl::ToUnixSeconds(s.created));
                           json::KeyString(w, "State", StatusName(s.status));
                           json::KeyString(w, "Status", StatusText(s, now));
                           json::KeyInt(w, "SizeRw", cu.size);
                         });
    json::KeyObjectArray(w, "Volumes", du.volume_list, [&](const DiskUsage::VolumeUsage& vu) {
      json::KeyString(w, "Name", vu.volume.name);
      json::KeyString(w, "Driver", "local");
      json::KeyString(w, "Mountpoint", vu.volume.mountpoint);
      json::KeyObject(w, "Labels", [&] {
        for (const auto& [key, value] : vu.volume.labels) json::KeyString(w, key, value);
      });
      json::KeyObject(w, "UsageData", [&] {
        json::KeyInt(w, "Size", vu.size);
        json::KeyInt(w, "RefCount", vu.links);
      });
    });
    json::KeyStringArray(w, "BuildCache", {});
  }
  w.EndObject();
  return buf.GetString();
}

}  // namespace mydocker::views
