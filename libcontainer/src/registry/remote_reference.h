// A reference to an image in a registry: NAME[:TAG|@DIGEST], normalised as Docker does.
//
// The first component of NAME is a registry host when more components follow and it has a "." or
// a ":" or is "localhost"; otherwise the image is on Docker Hub: its host is "docker.io" (served
// by registry-1.docker.io) and a one-component name gets the "library/" prefix there.
#ifndef MYDOCKER_REGISTRY_REMOTE_REFERENCE_H_
#define MYDOCKER_REGISTRY_REMOTE_REFERENCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::registry {

inline constexpr char kDockerHubDomain[] = "docker.io";

struct RemoteReference {
  std::string domain;      // "docker.io", "127.0.0.1:5000", "ghcr.io"
  std::string repository;  // path in the registry: "library/busybox", "org/app"
  std::string tag;         // "latest" when neither tag nor digest is given; "" with a digest
  std::string digest;      // "sha256:<hex>" or ""

  // The name the local store uses: Docker's short form ("busybox", "org/app",
  // "127.0.0.1:5000/app").
  std::string LocalName() const;
  // "busybox:latest" or "busybox@sha256:..." in that short form.
  std::string LocalReference() const;
  // The full form Docker prints after a pull: "docker.io/library/busybox:latest".
  std::string FullReference() const;
  // The host to connect to ("registry-1.docker.io" for Docker Hub), with its port if any.
  std::string Endpoint() const;
  // The tag, or the digest when pulled by digest.
  std::string TagOrDigest() const { return digest.empty() ? tag : digest; }
};

// `ref` in the store's short form: "docker.io/library/busybox:1" (or index.docker.io/...) is
// "busybox:1", "docker.io/org/app" is "org/app"; other references are returned as they are.
absl::string_view ShortDockerHubName(absl::string_view ref);

// InvalidArgument, naming the reference, when it is malformed.
absl::StatusOr<RemoteReference> ParseRemoteReference(absl::string_view ref);

// Whether plain HTTP is allowed for `domain`: a loopback host (localhost, 127.0.0.1, [::1], any
// port) or one of the comma-separated `insecure` registries ("host:port" or "host").
bool IsInsecureRegistry(absl::string_view domain, absl::string_view insecure);

}  // namespace mydocker::registry

#endif  // MYDOCKER_REGISTRY_REMOTE_REFERENCE_H_
