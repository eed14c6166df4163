// Docker's credential helpers (docker-credential-helpers' protocol): config.json's `credsStore`
// (every registry) and `credHelpers` (per registry host) name a program
// docker-credential-<name> on $PATH, run with one argument: `get` (the server URL on stdin,
// {"ServerURL","Username","Secret"} on stdout), `store` (that JSON on stdin) or `erase` (the
// server URL on stdin). A helper that has nothing for the server says
// "credentials not found in native keychain" and exits non-zero.
#ifndef MYDOCKER_REGISTRY_CREDENTIAL_HELPER_H_
#define MYDOCKER_REGISTRY_CREDENTIAL_HELPER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "mydocker/registry_credentials.h"
#include "rapidjson/document.h"

namespace mydocker::registry::credential_helper {

// The helper config `doc` names for the credentials key `key` ("127.0.0.1:5000",
// "https://index.docker.io/v1/"): credHelpers[host of key], else credsStore; "" for none.
std::string HelperFor(const rapidjson::Document& doc, const std::string& key);

// `get`: the helper's credentials for `key`, nullopt when it has none (or only an identity
// token, which mydocker does not use).
absl::StatusOr<std::optional<Credentials>> Get(const std::string& helper, const std::string& key);

// `store`.
absl::Status Store(const std::string& helper, const std::string& key,
                   const Credentials& credentials);

// `erase`; false when the helper had nothing for `key`.
absl::StatusOr<bool> Erase(const std::string& helper, const std::string& key);

}  // namespace mydocker::registry::credential_helper

#endif  // MYDOCKER_REGISTRY_CREDENTIAL_HELPER_H_
