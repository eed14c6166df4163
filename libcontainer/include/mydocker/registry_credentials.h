// Registry credentials stored as Docker's config.json does: {"auths": {"<registry>": {"auth":
// base64("user:password")}}}, other keys of the file kept as they are. The file is
// $MYDOCKER_CONFIG/config.json, else ~/.mydocker/config.json (Docker's is $DOCKER_CONFIG or
// ~/.docker: a separate file, so that mydocker never rewrites Docker's); it is written atomically
// with mode 0600. Docker Hub's key is "https://index.docker.io/v1/", as Docker's.
#ifndef MYDOCKER_REGISTRY_CREDENTIALS_H_
#define MYDOCKER_REGISTRY_CREDENTIALS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::registry {

struct Credentials {
  std::string username;
  std::string password;
};

// $MYDOCKER_CONFIG/config.json or $HOME/.mydocker/config.json.
std::string DefaultCredentialsPath();

// The key of `domain` ("127.0.0.1:5000", "docker.io") in `auths`.
std::string CredentialsKey(absl::string_view domain);

// The registry named on the command line ("" is Docker Hub) as a domain: a scheme and a path are
// dropped ("https://index.docker.io/v1/" is docker.io). InvalidArgument when it is no host.
absl::StatusOr<std::string> RegistryDomain(absl::string_view registry);

// The stored credentials of `domain`, nullopt when there are none (or no file).
absl::StatusOr<std::optional<Credentials>> LoadCredentials(const std::string& path,
                                                           absl::string_view domain);

// Stores (replacing) the credentials of `domain`, creating the file's directory (0700).
absl::Status StoreCredentials(const std::string& path, absl::string_view domain,
                              const Credentials& credentials);

// Removes the credentials of `domain`; false when there were none.
absl::StatusOr<bool> EraseCredentials(const std::string& path, absl::string_view domain);

}  // namespace mydocker::registry

#endif  // MYDOCKER_REGISTRY_CREDENTIALS_H_
