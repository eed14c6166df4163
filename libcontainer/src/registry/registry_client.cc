#include "registry/registry_client.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "image/image_json.h"
#include "json_util.h"
#include "mydocker/status_macros.h"
#include "registry/www_authenticate.h"

namespace mydocker::registry {
namespace {

constexpr size_t kMaxTokenResponse = 1 << 20;

const char* const kManifestTypes[] = {kDockerManifestType, kDockerListType, kOciManifestType,
                                      kOciIndexType};

std::string AcceptHeader() { return absl::StrCat("Accept: ", absl::StrJoin(kManifestTypes, ", ")); }

bool IsSuccess(long status) { return status >= 200 && status < 300; }

// The registry's own message from an error body ({"errors":[{"code","message"}]}), if any.
std::string RegistryMessage(const std::string& body) {
  rapidjson::Document doc;
  if (!json::Parse(body, "error", &doc).ok()) return "";
  auto errors = doc.FindMember("errors");
  if (errors == doc.MemberEnd() || !errors->value.IsArray() || errors->value.Empty()) return "";
  const auto& first = errors->value[0];
  if (!first.IsObject()) return "";
  auto message = first.FindMember("message");
  if (message == first.MemberEnd() || !message->value.IsString()) return "";
  return absl::CHexEscape(absl::string_view(message->value.GetString()).substr(0, 200));
}

absl::StatusOr<std::string> TokenFrom(const std::string& body) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(body, "token response", &doc));
  for (const char* key : {"token", "access_token"}) {
    auto it = doc.FindMember(key);
    if (it != doc.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0) {
      std::string token(it->value.GetString(), it->value.GetStringLength());
      if (token.find_first_of("\r\n") != std::string::npos) break;
      return token;
    }
  }
  return absl::InvalidArgumentError("the token server's response holds no token");
}

// Docker's line for refused credentials: Get "URL": unauthorized: <the registry's message>.
absl::Status Unauthorized(const std::string& url, const HttpResponse& r) {
  std::string message = RegistryMessage(r.body);
  return absl::UnauthenticatedError(absl::StrCat(
      "Get \"", url,
      "\": unauthorized: ", message.empty() ? "incorrect username or password" : message));
}

constexpr char kDefaultCertsDir[] = "/etc/mydocker/certs.d";

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

ClientOptions ClientOptionsOf(const PullOptions& options) {
  ClientOptions out;
  out.certs_dir =
      options.certs_dir.empty() ? EnvOr("MYDOCKER_CERTS_D", kDefaultCertsDir) : options.certs_dir;
  out.insecure_registries = options.insecure_registries;
  out.http.connect_timeout_seconds = options.connect_timeout_seconds;
  out.http.stall_seconds = options.stall_seconds;
  out.http.cancel = options.cancel;
  if (!options.username.empty() || !options.password.empty()) {
    out.credentials = Credentials{options.username, options.password};
  }
  return out;
}

absl::StatusOr<RegistryClient> RegistryClient::Create(const RemoteReference& ref,
                                                      const ClientOptions& options) {
  HttpConfig http = options.http;
  std::string ca = absl::StrCat(options.certs_dir, "/", ref.domain, "/ca.crt");
  if (::access(ca.c_str(), R_OK) == 0) http.ca_file = ca;
  RegistryClient client(ref, std::move(http), absl::StrCat("https://", ref.Endpoint(), "/v2/"));
  client.plain_allowed_ = IsInsecureRegistry(ref.domain, options.insecure_registries);
  client.credentials_ = options.credentials;
  client.actions_ = options.actions;
  client.mount_from_ = options.mount_from;
  return client;
}

std::vector<std::string> RegistryClient::Headers(std::vector<std::string> extra) const {
  if (!auth_header_.empty()) extra.push_back(auth_header_);
  return extra;
}

absl::Status RegistryClient::ResponseError(const HttpResponse& r, const std::string& what) const {
  if (!r.error.ok()) {
    return absl::Status(r.error.code(), absl::StrCat(what, ": ", r.error.message()));
  }
  std::string message = RegistryMessage(r.body);
  std::string detail =
      absl::StrCat(what, ": HTTP ", r.status, message.empty() ? "" : ": ", message);
  if (r.status == 401 || r.status == 403) {
    return absl::PermissionDeniedError(
        absl::StrCat(detail, " (authentication required or access denied)"));
  }
  if (r.status == 404) return absl::NotFoundError(detail);
  return absl::UnavailableError(detail);
}

std::string RegistryClient::TokenUrl(const std::string& realm,
                                     std::map<std::string, std::string>& params) const {
  std::string url = realm;
  char sep = realm.find('?') == std::string::npos ? '?' : '&';
  auto add = [&](absl::string_view key, const std::string& value) {
    absl::StrAppend(&url, std::string(1, sep), key, "=", UrlEscape(value));
    sep = '&';
  };
  if (!ref_.repository.empty()) {
    add("scope", absl::StrCat("repository:", ref_.repository, ":", actions_));
    for (const std::string& from : mount_from_) add("scope", "repository:" + from + ":pull");
  }
  if (!params["service"].empty()) add("service", params["service"]);
  if (credentials_) add("account", credentials_->username);
  return url;
}

namespace {
std::string BasicAuthHeader(const Credentials& c) {
  return absl::StrCat("Authorization: Basic ",
                      absl::Base64Escape(absl::StrCat(c.username, ":", c.password)));
}
}  // namespace

absl::Status RegistryClient::Authenticate(const std::string& header) {
  MYDOCKER_ASSIGN_OR_RETURN(Challenge challenge, ParseChallenge(header));
  challenge_scheme_ = challenge.scheme;
  if (challenge.scheme == "basic") {
    if (credentials_) auth_header_ = BasicAuthHeader(*credentials_);
    return absl::OkStatus();  // without credentials: the request fails "unauthorized"
  }
  if (challenge.scheme != "bearer") return absl::OkStatus();
  std::string realm = challenge.params["realm"];
  if (!absl::StartsWith(realm, "https://") && !absl::StartsWith(realm, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("the registry's token realm \"", absl::CHexEscape(realm), "\" is not a URL"));
  }
  HttpRequest request;
  request.url = TokenUrl(realm, challenge.params);
  request.max_body = kMaxTokenResponse;
  if (credentials_) request.headers.push_back(BasicAuthHeader(*credentials_));
  HttpResponse r = Perform(http_, request);
  if (!r.error.ok() || !IsSuccess(r.status)) {
    if (r.error.ok() && r.status == 401 && credentials_) return Unauthorized(base_, r);
    return ResponseError(r, "get a token from " + realm);
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string token, TokenFrom(r.body));
  auth_header_ = "Authorization: Bearer " + token;
  return absl::OkStatus();
}

absl::Status RegistryClient::CheckLogin() {
  MYDOCKER_RETURN_IF_ERROR(Ping());
  if (challenge_scheme_ != "basic") return absl::OkStatus();  // bearer: the token was the check
  HttpRequest request;
  request.url = base_;
  request.headers = Headers({});
  HttpResponse r = Perform(http_, request);
  if (r.error.ok() && r.status == 401) return Unauthorized(base_, r);
  if (!r.error.ok() || !IsSuccess(r.status)) return ResponseError(r, "login to " + ref_.domain);
  return absl::OkStatus();
}

// As Docker: HTTPS first; plain HTTP only for a registry that allows it, when HTTPS failed.
absl::Status RegistryClient::Ping() {
  HttpRequest request;
  request.url = base_;
  HttpResponse r = Perform(http_, request);
  std::string what = absl::StrCat("ping registry ", ref_.domain, " (", base_, ")");
  if (!r.error.ok() && plain_allowed_ && !absl::IsCancelled(r.error)) {
    HttpRequest plain = request;
    plain.url = absl::StrCat("http://", ref_.Endpoint(), "/v2/");
    HttpResponse second = Perform(http_, plain);
    // Only a registry's answer (200, or 401 with a challenge) makes HTTP the way; otherwise the
    // HTTPS error (an unknown certificate, say) is the one that says what is wrong.
    if (second.error.ok() && (IsSuccess(second.status) || second.status == 401)) {
      base_ = plain.url;
      r = std::move(second);
    }
  }
  if (!r.error.ok()) return ResponseError(r, what);
  if (r.status == 401) {
    auto it = r.headers.find("www-authenticate");
    if (it == r.headers.end()) return ResponseError(r, what);
    return Authenticate(it->second);
  }
  if (!IsSuccess(r.status)) return ResponseError(r, what);
  return absl::OkStatus();
}

HttpResponse RegistryClient::PerformAuthorized(HttpRequest request) {
  HttpResponse r = Perform(http_, request);
  auto challenge = r.headers.find("www-authenticate");
  if (!r.error.ok() || r.status != 401 || !auth_header_.empty() || challenge == r.headers.end()) {
    return r;
  }
  // A registry that let the ping through but wants a token for the repository.
  if (!Authenticate(challenge->second).ok() || auth_header_.empty()) return r;
  request.headers.push_back(auth_header_);
  return Perform(http_, request);
}

absl::StatusOr<FetchedManifest> RegistryClient::GetManifest(const std::string& tag_or_digest) {
  HttpRequest request;
  request.url = absl::StrCat(base_, ref_.repository, "/manifests/", tag_or_digest);
  request.headers = Headers({AcceptHeader()});
  request.max_body = kMaxManifestSize;
  HttpResponse r = PerformAuthorized(request);
  std::string what = absl::StrCat("get manifest ", ref_.repository, ":", tag_or_digest);
  if (!r.error.ok() || !IsSuccess(r.status)) return ResponseError(r, what);
  FetchedManifest m;
  m.digest = Sha256Digest(r.body);
  if (IsSha256Digest(tag_or_digest) && m.digest != tag_or_digest) {
    return absl::DataLossError(
        absl::StrCat(what, ": the manifest's digest is ", m.digest, ", not the one asked for"));
  }
  auto given = r.headers.find("docker-content-digest");
  if (given != r.headers.end() && IsSha256Digest(given->second) && given->second != m.digest) {
    return absl::DataLossError(absl::StrCat(what, ": the registry says its digest is ",
                                            given->second, " but its bytes hash to ", m.digest));
  }
  auto type = r.headers.find("content-type");
  if (type != r.headers.end()) m.media_type = type->second.substr(0, type->second.find(';'));
  m.body = std::move(r.body);
  return m;
}

absl::Status CheckBlob(const Descriptor& d, const HttpResponse& r) {
  if (r.received != d.size) {
    return absl::DataLossError(absl::StrCat("blob ", d.digest, " has ", r.received,
                                            " bytes, its descriptor says ", d.size));
  }
  if (r.digest != d.digest) {
    return absl::DataLossError(
        absl::StrCat("blob ", d.digest, " does not match its digest: got ", r.digest));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RegistryClient::GetBlob(const Descriptor& d, size_t max_size) {
  if (!IsSha256Digest(d.digest) || d.size < 0 || static_cast<size_t>(d.size) > max_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("blob ", absl::CHexEscape(d.digest), ": bad digest or size ", d.size));
  }
  HttpRequest request;
  request.url = absl::StrCat(base_, ref_.repository, "/blobs/", d.digest);
  request.headers = Headers({});
  request.max_body = static_cast<size_t>(d.size);
  HttpResponse r = PerformAuthorized(request);
  std::string what = absl::StrCat("get blob ", d.digest);
  if (!r.error.ok() || !IsSuccess(r.status)) return ResponseError(r, what);
  r.received = static_cast<int64_t>(r.body.size());
  r.digest = Sha256Digest(r.body);
  MYDOCKER_RETURN_IF_ERROR(CheckBlob(d, r));
  return std::move(r.body);
}

namespace {

constexpr int kDownloadAttempts = 3;

// Whether a failed download is tried again (from where it stopped): the connection broke after
// data came, or the transfer was abandoned because another one failed so. Not after a stall, a
// cancel, a wrong size or an HTTP error.
bool Resumable(const HttpResponse& r, bool any_broke) {
  if (absl::IsAborted(r.error)) return any_broke;
  return absl::IsUnavailable(r.error) && r.received > 0;
}

}  // namespace

absl::Status RegistryClient::DownloadBlobs(const std::vector<BlobDownload>& blobs, int parallel) {
  std::vector<HttpRequest> requests;
  for (const BlobDownload& b : blobs) {
    HttpRequest request;
    request.url = absl::StrCat(base_, ref_.repository, "/blobs/", b.descriptor.digest);
    request.headers = Headers({});
    request.fd = b.fd;
    request.expected_size = b.descriptor.size;
    request.on_progress = b.on_progress;
    requests.push_back(std::move(request));
  }
  std::vector<HttpResponse> responses = PerformAll(http_, requests, parallel, true);
  for (int attempt = 1; attempt < kDownloadAttempts; ++attempt) {
    bool any_broke = std::any_of(responses.begin(), responses.end(),
                                 [](const HttpResponse& r) { return Resumable(r, false); });
    if (!any_broke) break;
    std::vector<size_t> again;
    std::vector<HttpRequest> retries;
    for (size_t i = 0; i < responses.size(); ++i) {
      if (!Resumable(responses[i], true)) continue;
      again.push_back(i);
      retries.push_back(requests[i]);
      retries.back().resume_from = responses[i].received;
    }
    std::vector<HttpResponse> second = PerformAll(http_, retries, parallel, true);
    for (size_t k = 0; k < again.size(); ++k) responses[again[k]] = std::move(second[k]);
  }
  absl::Status first;
  for (size_t i = 0; i < blobs.size(); ++i) {
    const HttpResponse& r = responses[i];
    std::string what = absl::StrCat("get blob ", blobs[i].descriptor.digest);
    absl::Status status = !r.error.ok() || !IsSuccess(r.status) ? ResponseError(r, what)
                                                                : CheckBlob(blobs[i].descriptor, r);
    // The failure that stopped the others, rather than their "abandoned".
    if (!status.ok() && (first.ok() || absl::IsAborted(first))) first = status;
  }
  return first;
}

absl::StatusOr<bool> RegistryClient::HasBlob(const std::string& digest) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = absl::StrCat(base_, ref_.repository, "/blobs/", digest);
  request.headers = Headers({});
  HttpResponse r = PerformAuthorized(request);
  if (r.error.ok() && r.status == 404) return false;
  if (!r.error.ok() || !IsSuccess(r.status)) return ResponseError(r, "check blob " + digest);
  return true;
}

std::string RegistryClient::ResolveLocation(const std::string& location) const {
  if (!absl::StartsWith(location, "/")) return location;
  size_t path = base_.find('/', base_.find("://") + 3);
  return absl::StrCat(base_.substr(0, path), location);
}

absl::StatusOr<std::string> RegistryClient::StartUpload(const std::string& digest,
                                                        const std::string& from) {
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(base_, ref_.repository, "/blobs/uploads/");
  if (!from.empty()) {
    absl::StrAppend(&request.url, "?mount=", UrlEscape(digest), "&from=", UrlEscape(from));
  }
  request.headers = Headers({});
  HttpResponse r = PerformAuthorized(request);
  std::string what = absl::StrCat("start the upload of blob ", digest);
  if (!r.error.ok() || !IsSuccess(r.status)) return ResponseError(r, what);
  if (r.status == 201 && !from.empty()) return std::string();
  auto location = r.headers.find("location");
  if (r.status != 202 || location == r.headers.end() || location->second.empty()) {
    return absl::UnavailableError(absl::StrCat(what, ": the registry answered HTTP ", r.status,
                                               " without an upload location"));
  }
  return ResolveLocation(location->second);
}

absl::StatusOr<std::string> RegistryClient::PutChunks(
    std::string url, const Descriptor& blob, int fd, int64_t chunk_size,
    const std::function<void(int64_t)>& on_progress) {
  for (int64_t offset = 0; offset < blob.size; offset += chunk_size) {
    HttpRequest request;
    request.method = "PATCH";
    request.url = url;
    request.upload_fd = fd;
    request.upload_offset = offset;
    request.upload_size = std::min(chunk_size, blob.size - offset);
    request.headers =
        Headers({"Content-Type: application/octet-stream",
                 absl::StrCat("Content-Range: ", offset, "-", offset + request.upload_size - 1)});
    if (on_progress) request.on_progress = [&](int64_t sent) { on_progress(offset + sent); };
    HttpResponse r = PerformAuthorized(request);
    if (!r.error.ok() || !IsSuccess(r.status)) {
      return ResponseError(r, absl::StrCat("upload blob ", blob.digest, " at byte ", offset));
    }
    auto location = r.headers.find("location");
    if (location != r.headers.end() && !location->second.empty()) {
      url = ResolveLocation(location->second);
    }
  }
  return url;
}

absl::Status RegistryClient::UploadBlob(std::string url, const Descriptor& blob, int fd,
                                        int64_t chunk_size,
                                        const std::function<void(int64_t)>& on_progress) {
  HttpRequest put;
  put.method = "PUT";
  put.headers = Headers({"Content-Type: application/octet-stream"});
  if (blob.size > chunk_size) {
    MYDOCKER_ASSIGN_OR_RETURN(url, PutChunks(std::move(url), blob, fd, chunk_size, on_progress));
  } else {
    put.upload_fd = fd;
    put.upload_size = blob.size;
    put.on_progress = on_progress;
  }
  put.url = absl::StrCat(url, url.find('?') == std::string::npos ? "?" : "&",
                         "digest=", UrlEscape(blob.digest));
  HttpResponse r = PerformAuthorized(put);
  if (!r.error.ok() || !IsSuccess(r.status)) return ResponseError(r, "upload blob " + blob.digest);
  return absl::OkStatus();
}

absl::Status RegistryClient::PutManifest(const std::string& tag, const std::string& media_type,
                                         const std::string& body) {
  HttpRequest request;
  request.method = "PUT";
  request.url = absl::StrCat(base_, ref_.repository, "/manifests/", tag);
  request.headers = Headers({"Content-Type: " + media_type});
  request.upload_body = body;
  request.upload_size = static_cast<int64_t>(body.size());
  HttpResponse r = PerformAuthorized(request);
  if (!r.error.ok() || !IsSuccess(r.status)) {
    return ResponseError(r, absl::StrCat("put manifest ", ref_.repository, ":", tag));
  }
  return absl::OkStatus();
}

}  // namespace mydocker::registry
