// Man pages and shell completions made from the command tree BuildApp builds, the one `--help`
// prints, so they cannot drift from it: tools/mydocker/docgen_main.cc (the build's
// mydocker-docgen) writes them into the build tree, and they are installed from there.
#ifndef MYDOCKER_TOOLS_DOCGEN_H_
#define MYDOCKER_TOOLS_DOCGEN_H_

#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace mydocker::cli {

// Every command a user can type, depth first in --help's order: "run", "image", "image ls".
// Hidden ones (no group, as __complete) and their subcommands are left out; aliases too.
std::vector<const CLI::App*> VisibleCommands(const CLI::App& app);

// "image ls" for the `image ls` command; "" for the top-level app.
std::string PathOf(const CLI::App& cmd);

// The man page's file name: "mydocker.1", "mydocker-image-ls.1".
std::string ManPageName(const CLI::App& cmd);

// The page (roff, man(7)) of `cmd`: NAME, SYNOPSIS (the --help usage line), DESCRIPTION,
// OPTIONS, COMMANDS for a group, ENVIRONMENT and FILES on the top-level page, SEE ALSO.
std::string ManPage(const CLI::App& cmd, const std::string& version);

// Every page, by file name.
std::map<std::string, std::string> ManPages(const CLI::App& app, const std::string& version);

// What a command's positional arguments name, for completion at run time through
// `mydocker __complete KIND`: "containers", "images", "volumes", "networks", or "" (files).
std::string ArgumentKind(const CLI::App& cmd);

// Bash and zsh completion scripts: commands, subcommands and flags from the tree; container,
// image, volume and network names from `mydocker [--root DIR] __complete KIND`.
std::string BashCompletion(const CLI::App& app);
std::string ZshCompletion(const CLI::App& app);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_DOCGEN_H_
