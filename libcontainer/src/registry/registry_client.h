// A client of one repository of a registry (OCI distribution specification, Docker registry v2):
// the /v2/ ping, anonymous bearer tokens from the WWW-Authenticate challenge, manifests by tag or
// digest, and blobs (small ones into memory, layers into files, several at once).
#ifndef MYDOCKER_REGISTRY_REGISTRY_CLIENT_H_
#define MYDOCKER_REGISTRY_REGISTRY_CLIENT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "image/archive_json.h"
#include "registry/http.h"
#include "registry/remote_reference.h"

namespace mydocker::registry {

// The largest manifest accepted (Docker's limit too).
inline constexpr size_t kMaxManifestSize = 4 << 20;

struct ClientOptions {
  // Directory of per-registry CA certificates: <certs_dir>/<host[:port]>/ca.crt.
  std::string certs_dir = "/etc/mydocker/certs.d";
  // Comma-separated registries that may be reached over plain HTTP (loopback always may).
  std::string insecure_registries;
  HttpConfig http;
};

struct FetchedManifest {
  std::string media_type;
  std::string digest;  // "sha256:<hex>" of the body
  std::string body;
};

// A blob to download into a file.
struct BlobDownload {
  Descriptor descriptor;
  int fd = -1;  // not owned
  std::function<void(int64_t)> on_progress;
};

class RegistryClient {
 public:
  static absl::StatusOr<RegistryClient> Create(const RemoteReference& ref,
                                               const ClientOptions& options);

  // GET /v2/: learns whether the registry wants a token, and gets an anonymous one. Over HTTPS,
  // or over plain HTTP when HTTPS fails and the registry may be reached so (IsInsecureRegistry).
  absl::Status Ping();
  // The manifest named by a tag or digest; a digest is verified against the body.
  absl::StatusOr<FetchedManifest> GetManifest(const std::string& tag_or_digest);
  // A small blob (a config) into memory, verified against its descriptor.
  absl::StatusOr<std::string> GetBlob(const Descriptor& d, size_t max_size);
  // Layers into their files, `parallel` at once, each verified (size and digest); the first
  // failure abandons the rest.
  absl::Status DownloadBlobs(const std::vector<BlobDownload>& blobs, int parallel);

 private:
  RegistryClient(RemoteReference ref, HttpConfig http, std::string base)
      : ref_(std::move(ref)), http_(std::move(http)), base_(std::move(base)) {}
  std::vector<std::string> Headers(std::vector<std::string> extra) const;
  absl::Status Authenticate(const std::string& challenge);
  // Performs `request`; on a 401 with a challenge and no token yet, gets one and retries once.
  HttpResponse PerformAuthorized(HttpRequest request);
  absl::Status ResponseError(const HttpResponse& r, const std::string& what) const;

  RemoteReference ref_;
  HttpConfig http_;
  std::string base_;  // "https://host[:port]/v2/" (http after Ping, if it had to)
  bool plain_allowed_ = false;
  std::string auth_header_;  // "Authorization: Bearer ..." once a token was obtained
};

// Verifies a downloaded blob's size and digest against its descriptor.
absl::Status CheckBlob(const Descriptor& d, const HttpResponse& r);

}  // namespace mydocker::registry

#endif  // MYDOCKER_REGISTRY_REGISTRY_CLIENT_H_
