#include "registry/registry_client.h"

#include <unistd.h>

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

}  // namespace

absl::StatusOr<RegistryClient> RegistryClient::Create(const RemoteReference& ref,
                                                      const ClientOptions& options) {
  HttpConfig http = options.http;
  std::string ca = absl::StrCat(options.certs_dir, "/", ref.domain, "/ca.crt");
  if (::access(ca.c_str(), R_OK) == 0) http.ca_file = ca;
  RegistryClient client(ref, std::move(http), absl::StrCat("https://", ref.Endpoint(), "/v2/"));
  client.plain_allowed_ = IsInsecureRegistry(ref.domain, options.insecure_registries);
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

absl::Status RegistryClient::Authenticate(const std::string& header) {
  MYDOCKER_ASSIGN_OR_RETURN(Challenge challenge, ParseChallenge(header));
  if (challenge.scheme != "bearer") return absl::OkStatus();  // basic: needs a login (later)
  std::string realm = challenge.params["realm"];
  if (!absl::StartsWith(realm, "https://") && !absl::StartsWith(realm, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("the registry's token realm \"", absl::CHexEscape(realm), "\" is not a URL"));
  }
  std::string url = absl::StrCat(realm, realm.find('?') == std::string::npos ? "?" : "&",
                                 "scope=", UrlEscape("repository:" + ref_.repository + ":pull"));
  if (!challenge.params["service"].empty()) {
    absl::StrAppend(&url, "&service=", UrlEscape(challenge.params["service"]));
  }
  HttpRequest request;
  request.url = url;
  request.max_body = kMaxTokenResponse;
  HttpResponse r = Perform(http_, request);
  if (!r.error.ok() || !IsSuccess(r.status)) return ResponseError(r, "get a token from " + realm);
  MYDOCKER_ASSIGN_OR_RETURN(std::string token, TokenFrom(r.body));
  auth_header_ = "Authorization: Bearer " + token;
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

}  // namespace mydocker::registry
