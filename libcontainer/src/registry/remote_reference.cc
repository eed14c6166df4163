#include "registry/remote_reference.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "image/image_json.h"
#include "mydocker/image_store.h"
#include "mydocker/status_macros.h"

namespace mydocker::registry {
namespace {

bool IsDomainPart(absl::string_view first) {
  return first.find_first_of(".:") != absl::string_view::npos || first == "localhost";
}

}  // namespace

std::string RemoteReference::LocalName() const {
  if (domain != kDockerHubDomain) return absl::StrCat(domain, "/", repository);
  absl::string_view path = repository;
  if (absl::StartsWith(path, "library/") && path.find('/', 8) == absl::string_view::npos) {
    path.remove_prefix(8);
  }
  return std::string(path);
}

std::string RemoteReference::LocalReference() const {
  return digest.empty() ? absl::StrCat(LocalName(), ":", tag)
                        : absl::StrCat(LocalName(), "@", digest);
}

std::string RemoteReference::FullReference() const {
  return absl::StrCat(domain, "/", repository, digest.empty() ? ":" : "@", TagOrDigest());
}

std::string RemoteReference::Endpoint() const {
  return domain == kDockerHubDomain ? "registry-1.docker.io" : domain;
}

absl::StatusOr<RemoteReference> ParseRemoteReference(absl::string_view ref) {
  RemoteReference out;
  absl::string_view rest = ref;
  size_t at = rest.find('@');
  if (at != absl::string_view::npos) {
    out.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!IsSha256Digest(out.digest)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid image reference \"",
                                                     absl::CHexEscape(ref),
                                                     "\": invalid digest (want sha256:<64 hex>)"));
    }
  }
  // The grammar of name and tag is the local one (ParseImageReference), which also validates it.
  MYDOCKER_ASSIGN_OR_RETURN(auto name_tag, ParseImageReference(rest));
  // NAME:TAG@DIGEST: the digest decides, as in Docker.
  out.tag = out.digest.empty() ? name_tag.second : "";
  std::vector<std::string> parts = absl::StrSplit(name_tag.first, '/');
  if (parts.size() > 1 && IsDomainPart(parts[0])) {
    out.domain = parts[0];
    out.repository = name_tag.first.substr(parts[0].size() + 1);
  } else {
    out.domain = kDockerHubDomain;
    out.repository = parts.size() == 1 ? "library/" + name_tag.first : name_tag.first;
  }
  if (out.domain == "index.docker.io") out.domain = kDockerHubDomain;
  return out;
}

bool IsInsecureRegistry(absl::string_view domain, absl::string_view insecure) {
  absl::string_view host = domain;
  if (absl::StartsWith(host, "[")) {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host == "localhost" || host == "127.0.0.1" || host == "[::1]") return true;
  for (absl::string_view entry : absl::StrSplit(insecure, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry == domain || entry == host) return true;
  }
  return false;
}

absl::string_view ShortDockerHubName(absl::string_view ref) {
  if (!absl::ConsumePrefix(&ref, "docker.io/")) absl::ConsumePrefix(&ref, "index.docker.io/");
  if (absl::StartsWith(ref, "library/") && ref.find('/', 8) == absl::string_view::npos) {
    ref.remove_prefix(8);
  }
  return ref;
}

}  // namespace mydocker::registry
