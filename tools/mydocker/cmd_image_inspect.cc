// mydocker image inspect IMAGE...   (a JSON array shaped like Docker's)
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "format.h"
#include "json_fields.h"
#include "rapidjson/document.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"

namespace mydocker::cli {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

// Copies a member of the image config as it is (Config keeps Env, Cmd, ExposedPorts, Labels...).
void Copy(Writer& w, const rapidjson::Document& config, const char* from, const char* to) {
  if (!config.IsObject() || !config.HasMember(from)) return;
  w.Key(to);
  config[from].Accept(w);
}

void WriteImage(Writer& w, const Image& image, const std::string& config_json) {
  rapidjson::Document config;
  config.Parse<rapidjson::kParseIterativeFlag>(config_json.data(), config_json.size());
  w.StartObject();
  Str(w, "Id", image.id);
  Strings(w, "RepoTags", image.tags);
  Str(w, "Created", FormatRfc3339(image.created));
  Copy(w, config, "author", "Author");
  Copy(w, config, "architecture", "Architecture");
  Copy(w, config, "os", "Os");
  w.Key("Size");
  w.Int64(image.size);
  Copy(w, config, "config", "Config");
  w.Key("RootFS");
  w.StartObject();
  Str(w, "Type", "layers");
  Strings(w, "Layers", image.layers);
  w.EndObject();
  w.EndObject();
}

int Inspect(Context& ctx, const std::vector<std::string>& refs) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartArray();
  // Like Docker: every image found is printed; one not found makes the exit status 1.
  for (const std::string& ref : refs) {
    auto image = rt->images().Resolve(ref);
    auto config = image.ok() ? rt->images().ConfigJson(*image) : image.status();
    if (!config.ok()) {
      ctx.Fail(config.status(), 1);
      continue;
    }
    WriteImage(w, *image, *config);
  }
  w.EndArray();
  std::cout << buf.GetString() << "\n";
  return ctx.exit_code;
}

}  // namespace

void RegisterImageInspect(CLI::App& image, Context& ctx) {
  auto refs = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = image.add_subcommand("inspect", "Show images' configuration as JSON");
  cmd->add_option("images", *refs, "Images (NAME[:TAG], ID or ID prefix)")->required();
  cmd->callback([&ctx, refs] { ctx.exit_code = Inspect(ctx, *refs); });
}

}  // namespace mydocker::cli
