// A client of one repository of a registry (OCI distribution specification, Docker registry v2):
// the /v2/ ping, anonymous bearer tokens from the WWW-Authenticate challenge, manifests by tag or
// digest, and blobs (small ones into memory, layers into files, several at once).
#ifndef MYDOCKER_REGISTRY_REGISTRY_CLIENT_H_
#define MYDOCKER_REGISTRY_REGISTRY_CLIENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "image/archive_json.h"
#include "mydocker/pull.h"
#include "mydocker/registry_credentials.h"
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
  // Sent as basic auth to a registry that asks for it, or to its token server.
  std::optional<Credentials> credentials;
  // Access asked of the token server: "pull" or "pull,push" on the reference's repository, and
  // "pull" on each of `mount_from` (repositories of the same registry blobs may be mounted from).
  std::string actions = "pull";
  std::vector<std::string> mount_from;
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

  // Login: the ping, then the credentials checked (GET /v2/ with basic auth, or a token for
  // them). Unauthenticated "Get \"URL\": unauthorized: ..." when the registry refuses them.
  absl::Status CheckLogin();

  // Push. Whether the repository has the blob (HEAD).
  absl::StatusOr<bool> HasBlob(const std::string& digest);
  // Starts an upload, asking first to mount the blob from repository `from` when not empty.
  // Returns "" when the registry mounted it, else the upload's URL.
  absl::StatusOr<std::string> StartUpload(const std::string& digest, const std::string& from);
  // Uploads `size` bytes of `fd` (not owned) to `url` from StartUpload: one PUT when size is at
  // most `chunk_size`, else PATCHes of chunk_size bytes each (Content-Range) then the PUT.
  absl::Status UploadBlob(std::string url, const Descriptor& blob, int fd, int64_t chunk_size,
                          const std::function<void(int64_t)>& on_progress);
  // Makes every later transfer of this client stop when *cancel is set (a copy of the client
  // may watch another flag than the original).
  void set_cancel(const volatile std::sig_atomic_t* cancel) { http_.cancel = cancel; }

  // PUT /v2/<name>/manifests/<tag>.
  absl::Status PutManifest(const std::string& tag, const std::string& media_type,
                           const std::string& body);

 private:
  RegistryClient(RemoteReference ref, HttpConfig http, std::string base)
      : ref_(std::move(ref)), http_(std::move(http)), base_(std::move(base)) {}
  std::vector<std::string> Headers(std::vector<std::string> extra) const;
  absl::Status Authenticate(const std::string& challenge);
  std::string TokenUrl(const std::string& realm, std::map<std::string, std::string>& params) const;
  // An upload URL from a Location header: absolute, or a path on the registry.
  std::string ResolveLocation(const std::string& location) const;
  absl::StatusOr<std::string> PutChunks(std::string url, const Descriptor& blob, int fd,
                                        int64_t chunk_size,
                                        const std::function<void(int64_t)>& on_progress);
  // Performs `request`; on a 401 with a challenge and no token yet, gets one and retries once.
  HttpResponse PerformAuthorized(HttpRequest request);
  absl::Status ResponseError(const HttpResponse& r, const std::string& what) const;

  RemoteReference ref_;
  HttpConfig http_;
  std::string base_;  // "https://host[:port]/v2/" (http after Ping, if it had to)
  bool plain_allowed_ = false;
  std::optional<Credentials> credentials_;
  std::string actions_;
  std::vector<std::string> mount_from_;
  std::string challenge_scheme_;  // of the ping's challenge: "basic", "bearer" or ""
  std::string auth_header_;       // "Authorization: Bearer ..." or "... Basic ..." once known
};

// The client options of a pull's or push's options: the certs.d directory ($MYDOCKER_CERTS_D
// or /etc/mydocker/certs.d when not given), timeouts, cancel flag and credentials.
ClientOptions ClientOptionsOf(const PullOptions& options);

// Verifies a downloaded blob's size and digest against its descriptor.
absl::Status CheckBlob(const Descriptor& d, const HttpResponse& r);

}  // namespace mydocker::registry

#endif  // MYDOCKER_REGISTRY_REGISTRY_CLIENT_H_
