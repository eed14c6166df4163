// mydocker login [-u USER] [-p PASS | --password-stdin] [REGISTRY]
// mydocker logout [REGISTRY]
//
// Login checks the credentials against the registry through mydocker-registry (the CLI does not
// link libcurl) and stores them in $MYDOCKER_CONFIG/config.json or ~/.mydocker/config.json
// (registry/credentials.h); logout removes them. Docker's messages and exit status 1.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "mydocker/registry_credentials.h"
#include "registry_program.h"

namespace mydocker::cli {
namespace {

struct LoginFlags {
  std::string username, password, registry;
  bool password_stdin = false;
};

// All of standard input, without its trailing line ends.
std::string ReadStdin() {
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(STDIN_FILENO, buffer, sizeof buffer)) != 0 && out.size() < 65536;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A line typed on the terminal, echoed or not.
std::string Prompt(const char* label, bool echo) {
  std::cout << label << std::flush;
  struct termios old, quiet;
  bool restore = !echo && ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (restore) {
    quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::cout << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Fills in what the flags did not give; false after printing why it cannot.
bool CompleteCredentials(Context& ctx, LoginFlags& f) {
  if (!f.password.empty() && f.password_stdin) {
    ctx.Fail(absl::InvalidArgumentError("--password and --password-stdin are mutually exclusive"),
             1);
    return false;
  }
  if (f.password_stdin) {
    if (f.username.empty()) {
      ctx.Fail(absl::InvalidArgumentError("Must provide --username with --password-stdin"), 1);
      return false;
    }
    f.password = ReadStdin();
  } else if (!f.password.empty()) {
    std::cerr << "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
              << std::endl;
  }
  if (!f.username.empty() && !f.password.empty()) return true;
  if (::isatty(STDIN_FILENO) != 1) {
    ctx.Fail(
        absl::InvalidArgumentError("Cannot perform an interactive login from a non TTY device"), 1);
    return false;
  }
  if (f.username.empty()) f.username = Prompt("Username: ", true);
  if (f.password.empty()) f.password = Prompt("Password: ", false);
  if (f.username.empty() || f.password.empty()) {
    ctx.Fail(absl::InvalidArgumentError("Username and password required"), 1);
    return false;
  }
  return true;
}

int Login(Context& ctx, LoginFlags& f) {
  absl::StatusOr<std::string> domain = registry::RegistryDomain(f.registry);
  if (!domain.ok()) {
    ctx.Fail(domain.status(), 1);
    return ctx.exit_code;
  }
  if (!CompleteCredentials(ctx, f)) return ctx.exit_code;
  return RunLogin(ctx, *domain, f.username, f.password);
}

int Logout(Context& ctx, const std::string& server) {
  absl::StatusOr<std::string> domain = registry::RegistryDomain(server);
  if (!domain.ok()) {
    ctx.Fail(domain.status(), 1);
    return ctx.exit_code;
  }
  std::string key = registry::CredentialsKey(*domain);
  absl::StatusOr<bool> erased =
      registry::EraseCredentials(registry::DefaultCredentialsPath(), *domain);
  if (!erased.ok()) {
    ctx.Fail(erased.status(), 1);
    return ctx.exit_code;
  }
  std::cout << (*erased ? "Removing login credentials for " : "Not logged in to ") << key
            << std::endl;
  return 0;
}

}  // namespace

void RegisterLogin(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<LoginFlags>();
  CLI::App* login = app.add_subcommand("login", "Log in to a registry");
  login->add_option("-u,--username", flags->username, "Username");
  login->add_option("-p,--password", flags->password, "Password");
  login->add_flag("--password-stdin", flags->password_stdin, "Take the password from stdin");
  login->add_option("server", flags->registry, "SERVER (default: Docker Hub)");
  login->callback([&ctx, flags] { ctx.exit_code = Login(ctx, *flags); });

  auto server = std::make_shared<std::string>();
  CLI::App* logout = app.add_subcommand("logout", "Log out from a registry");
  logout->add_option("server", *server, "SERVER (default: Docker Hub)");
  logout->callback([&ctx, server] { ctx.exit_code = Logout(ctx, *server); });
}

}  // namespace mydocker::cli
