// mydocker image rm [-f] IMAGE...   (alias: rmi)
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace mydocker::cli {
namespace {

struct ImageRmFlags {
  bool force = false;
  std::vector<std::string> images;
};

// Removes one image reference and prints what happened, like Docker: the tags it lost, then
// the id if the image itself went. The store reports only success, so compare before/after.
absl::Status RemoveOne(Runtime& rt, const std::string& ref, bool force) {
  absl::StatusOr<Image> before = rt.images().Resolve(ref);
  if (!before.ok()) return before.status();
  if (absl::Status s = rt.RemoveImage(ref, force); !s.ok()) return s;
  absl::StatusOr<Image> after = rt.images().Resolve(before->id);
  std::vector<std::string> kept, had = before->tags;
  had.insert(had.end(), before->digests.begin(), before->digests.end());
  if (after.ok()) {
    kept = after->tags;
    kept.insert(kept.end(), after->digests.begin(), after->digests.end());
  }
  for (const std::string& tag : had) {
    if (std::find(kept.begin(), kept.end(), tag) == kept.end()) {
      std::cout << "Untagged: " << tag << "\n";
    }
  }
  if (absl::IsNotFound(after.status())) std::cout << "Deleted: " << before->id << "\n";
  return absl::OkStatus();
}

int Rm(Context& ctx, const ImageRmFlags& flags) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  // An error for one image does not stop the others; the exit status says one failed.
  for (const std::string& ref : flags.images) {
    absl::Status s = RemoveOne(*rt, ref, flags.force);
    if (!s.ok()) ctx.Fail(s, 1);
  }
  return ctx.exit_code;
}

}  // namespace

void RegisterImageRm(CLI::App& parent, const std::string& name, Context& ctx) {
  auto flags = std::make_shared<ImageRmFlags>();
  CLI::App* cmd = parent.add_subcommand(name, "Remove one or more images");
  cmd->add_flag("-f,--force", flags->force,
                "Remove the last tag of an image a container uses (the image stays until unused)");
  cmd->add_option("images", flags->images, "Images (NAME[:TAG], NAME@DIGEST, ID or ID prefix)")
      ->required();
  cmd->callback([&ctx, flags] { ctx.exit_code = Rm(ctx, *flags); });
  if (name == "rm") cmd->alias("remove");
}

}  // namespace mydocker::cli
