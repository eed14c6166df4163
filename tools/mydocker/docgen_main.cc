// mydocker-docgen DIR: writes the man pages and shell completions of the CLI's command tree
// (docgen.h) under DIR, as they are installed under PREFIX/share:
//   DIR/man/man1/mydocker.1, mydocker-COMMAND.1, ...
//   DIR/bash-completion/completions/mydocker
//   DIR/zsh/vendor-completions/_mydocker
// Pages of commands that no longer exist are removed (and their compressed copies, which the
// build makes from the pages: tools/mydocker/CMakeLists.txt).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "commands.h"
#include "docgen.h"

namespace {

bool Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::cerr << "mydocker-docgen: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: mydocker-docgen DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  mydocker::cli::Context ctx;
  CLI::App app{"mydocker: run Linux containers", "mydocker"};
  const std::string version = std::string("mydocker ") + MYDOCKER_CLI_VERSION;
  mydocker::cli::BuildApp(app, ctx, version);
  const std::filesystem::path man1 = dir / "man" / "man1";
  auto pages = mydocker::cli::ManPages(app, version);
  if (std::filesystem::is_directory(man1)) {
    for (const auto& entry : std::filesystem::directory_iterator(man1)) {
      std::string name = entry.path().filename().string();
      if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0)
        name.resize(name.size() - 3);
      if (!pages.count(name)) std::filesystem::remove(entry.path());
    }
  }
  bool ok = true;
  for (const auto& [name, text] : pages) ok = Write(man1 / name, text) && ok;
  ok = Write(dir / "bash-completion" / "completions" / "mydocker",
             mydocker::cli::BashCompletion(app)) &&
       ok;
  ok = Write(dir / "zsh" / "vendor-completions" / "_mydocker", mydocker::cli::ZshCompletion(app)) &&
       ok;
  return ok ? 0 : 1;
}
