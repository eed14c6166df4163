// mydocker image import|ls|rm|inspect|save|load|history|pull|tag, and Docker's shorthands images
// and rmi. Each subcommand has its file: cmd_image_<name>.cc, or cmd_<name>.cc for those that are
// also top-level commands (save, load, history, pull, tag).
#include "commands.h"

namespace mydocker::cli {

void RegisterImage(CLI::App& app, Context& ctx) {
  CLI::App* image = app.add_subcommand("image", "Manage images");
  image->require_subcommand(1);
  RegisterImageImport(*image, ctx);
  RegisterImageLs(*image, "ls", ctx);
  RegisterImageRm(*image, "rm", ctx);
  RegisterImageInspect(*image, ctx);
  RegisterSave(app, *image, ctx);
  RegisterLoad(app, *image, ctx);
  RegisterHistory(app, *image, ctx);
  RegisterPull(app, *image, ctx);
  RegisterPush(app, *image, ctx);
  RegisterTag(app, *image, ctx);
  RegisterImagePrune(*image, ctx);
  // Docker's top-level shorthands.
  RegisterImageLs(app, "images", ctx);
  RegisterImageRm(app, "rmi", ctx);
}

}  // namespace mydocker::cli
