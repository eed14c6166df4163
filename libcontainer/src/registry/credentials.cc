#include <cerrno>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "json_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/registry_credentials.h"
#include "mydocker/status_macros.h"
#include "rapidjson/prettywriter.h"
#include "registry/credential_helper.h"
#include "registry/remote_reference.h"

namespace mydocker::registry {
namespace {

constexpr char kDockerHubKey[] = "https://index.docker.io/v1/";
constexpr size_t kMaxConfigFile = 1 << 20;

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// The file as a document; an empty object when it does not exist.
absl::Status ReadConfig(const std::string& path, rapidjson::Document* doc) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok() && absl::IsNotFound(text.status())) {
    doc->SetObject();
    return absl::OkStatus();
  }
  if (!text.ok()) return text.status();
  if (text->size() > kMaxConfigFile) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is larger than 1 MiB"));
  }
  std::string what = path;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(*text, what.c_str(), doc));
  return json::CheckStructure(*doc, json::kMaxForeignDepth, path);
}

absl::Status WriteConfig(const std::string& path, const rapidjson::Document& doc) {
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(DirOf(path), 0700));
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent('\t', 1);
  doc.Accept(w);
  return WriteFileAtomic(path, absl::StrCat(buffer.GetString(), "\n"), 0600);
}

// doc["auths"], made an object if missing or of another type.
rapidjson::Value& Auths(rapidjson::Document& doc) {
  auto it = doc.FindMember("auths");
  if (it == doc.MemberEnd()) {
    doc.AddMember("auths", rapidjson::Value(rapidjson::kObjectType), doc.GetAllocator());
    it = doc.FindMember("auths");
  }
  if (!it->value.IsObject()) it->value.SetObject();
  return it->value;
}

}  // namespace

std::string DefaultCredentialsPath() {
  const char* dir = std::getenv("MYDOCKER_CONFIG");
  if (dir != nullptr && *dir != '\0') return absl::StrCat(dir, "/config.json");
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr && *home != '\0' ? home : "/root", "/.mydocker/config.json");
}

std::string CredentialsKey(absl::string_view domain) {
  return domain == kDockerHubDomain ? kDockerHubKey : std::string(domain);
}

absl::StatusOr<std::string> RegistryDomain(absl::string_view registry) {
  absl::string_view host = registry;
  for (absl::string_view scheme : {"https://", "http://"}) absl::ConsumePrefix(&host, scheme);
  host = host.substr(0, host.find('/'));
  std::string lower = absl::AsciiStrToLower(host);
  if (lower.empty() || lower == "index.docker.io" || lower == "registry-1.docker.io" ||
      lower == kDockerHubDomain) {
    if (!registry.empty() && lower.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid registry \"", absl::CHexEscape(registry), "\""));
    }
    return std::string(kDockerHubDomain);
  }
  // The same check a reference's registry part gets.
  absl::StatusOr<RemoteReference> ref = ParseRemoteReference(absl::StrCat(host, "/x"));
  if (!ref.ok() || ref->domain != host) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid registry \"", absl::CHexEscape(registry), "\""));
  }
  return std::string(host);
}

absl::StatusOr<std::optional<Credentials>> LoadCredentials(const std::string& path,
                                                           absl::string_view domain) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ReadConfig(path, &doc));
  std::string key = CredentialsKey(domain);
  std::string helper = credential_helper::HelperFor(doc, key);
  if (!helper.empty()) return credential_helper::Get(helper, key);
  auto auths = doc.FindMember("auths");
  if (auths == doc.MemberEnd() || !auths->value.IsObject()) return std::nullopt;
  auto entry = auths->value.FindMember(rapidjson::StringRef(key.data(), key.size()));
  if (entry == auths->value.MemberEnd() || !entry->value.IsObject()) return std::nullopt;
  auto auth = entry->value.FindMember("auth");
  if (auth == entry->value.MemberEnd() || !auth->value.IsString()) return std::nullopt;
  std::string decoded;
  if (!absl::Base64Unescape(auth->value.GetString(), &decoded) ||
      decoded.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": the stored credentials of ", key, " are malformed"));
  }
  size_t colon = decoded.find(':');
  return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

absl::Status StoreCredentials(const std::string& path, absl::string_view domain,
                              const Credentials& credentials) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ReadConfig(path, &doc));
  auto& a = doc.GetAllocator();
  rapidjson::Value& auths = Auths(doc);
  std::string key = CredentialsKey(domain);
  auths.RemoveMember(rapidjson::StringRef(key.data(), key.size()));
  rapidjson::Value entry(rapidjson::kObjectType);
  // With a helper, as Docker: the secret goes to the helper, the file keeps an empty entry.
  std::string helper = credential_helper::HelperFor(doc, key);
  if (!helper.empty()) {
    MYDOCKER_RETURN_IF_ERROR(credential_helper::Store(helper, key, credentials));
  } else {
    std::string auth =
        absl::Base64Escape(absl::StrCat(credentials.username, ":", credentials.password));
    entry.AddMember("auth", rapidjson::Value(auth.c_str(), a), a);
  }
  auths.AddMember(rapidjson::Value(key.c_str(), a), entry, a);
  return WriteConfig(path, doc);
}

absl::StatusOr<bool> EraseCredentials(const std::string& path, absl::string_view domain) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ReadConfig(path, &doc));
  std::string key = CredentialsKey(domain);
  bool erased = false;
  std::string helper = credential_helper::HelperFor(doc, key);
  if (!helper.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(erased, credential_helper::Erase(helper, key));
  }
  auto auths = doc.FindMember("auths");
  if (auths == doc.MemberEnd() || !auths->value.IsObject()) return erased;
  if (!auths->value.RemoveMember(rapidjson::StringRef(key.data(), key.size()))) return erased;
  MYDOCKER_RETURN_IF_ERROR(WriteConfig(path, doc));
  return true;
}

}  // namespace mydocker::registry
