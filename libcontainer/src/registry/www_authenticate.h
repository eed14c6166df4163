// The WWW-Authenticate challenge of a registry (RFC 7235): a scheme and its parameters, e.g.
//   Bearer
//   realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"
// Parameter values are tokens or quoted strings (with backslash escapes, commas inside).
#ifndef MYDOCKER_REGISTRY_WWW_AUTHENTICATE_H_
#define MYDOCKER_REGISTRY_WWW_AUTHENTICATE_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::registry {

struct Challenge {
  std::string scheme;                         // lower case: "bearer", "basic"
  std::map<std::string, std::string> params;  // names in lower case
};

// The first challenge of the header value. InvalidArgument when malformed.
absl::StatusOr<Challenge> ParseChallenge(absl::string_view header);

}  // namespace mydocker::registry

#endif  // MYDOCKER_REGISTRY_WWW_AUTHENTICATE_H_
