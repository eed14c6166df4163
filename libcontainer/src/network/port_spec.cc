#include "network/port_spec.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "network/cidr.h"

namespace mydocker::network {
namespace {

struct Range {
  uint16_t first = 0, last = 0;
};

absl::StatusOr<Range> ParseRange(absl::string_view text, absl::string_view spec) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid port \"", text, "\" in \"", spec,
                                                   "\": ports are numbers from 1 to 65535"));
  };
  std::pair<absl::string_view, absl::string_view> ends = absl::StrSplit(text, '-');
  if (ends.second.empty()) ends.second = ends.first;
  Range r;
  for (auto [s, out] : {std::pair{ends.first, &r.first}, std::pair{ends.second, &r.last}}) {
    uint32_t n;
    if (s.empty() || s.find_first_not_of("0123456789") != absl::string_view::npos ||
        !absl::SimpleAtoi(s, &n) || n < 1 || n > 65535) {
      return bad();
    }
    *out = static_cast<uint16_t>(n);
  }
  if (r.last < r.first) return bad();
  return r;
}

absl::StatusOr<std::string> ParseProtocol(absl::string_view* text, absl::string_view spec) {
  size_t slash = text->rfind('/');
  if (slash == absl::string_view::npos) return std::string("tcp");
  std::string proto(text->substr(slash + 1));
  *text = text->substr(0, slash);
  if (proto != "tcp" && proto != "udp") {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid protocol \"", proto, "\" in \"", spec, "\": tcp or udp"));
  }
  return proto;
}

}  // namespace

absl::StatusOr<std::vector<PortMapping>> ParsePublish(absl::string_view spec) {
  absl::string_view rest = spec;
  auto proto = ParseProtocol(&rest, spec);
  if (!proto.ok()) return proto.status();
  std::vector<absl::string_view> parts = absl::StrSplit(rest, ':');
  // A null view splits into no parts at all (an empty one into one empty part).
  if (parts.empty() || parts.size() > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid port spec \"", spec, "\": [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]"));
  }
  std::string host_ip;
  if (parts.size() == 3) {
    if (!parts[0].empty()) {
      auto ip = ParseIp(parts[0]);
      if (!ip.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid IP address \"", parts[0], "\" in \"", spec, "\""));
      }
      host_ip = FormatIp(*ip);
    }
    parts.erase(parts.begin());
  }
  auto inner = ParseRange(parts.back(), spec);
  if (!inner.ok()) return inner.status();
  Range outer;
  if (parts.size() == 2 && !parts[0].empty()) {
    auto r = ParseRange(parts[0], spec);
    if (!r.ok()) return r.status();
    outer = *r;
    if (outer.last - outer.first != inner->last - inner->first) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid port spec \"", spec, "\": the host and container ranges differ in length"));
    }
  }
  std::vector<PortMapping> result;
  for (uint32_t p = inner->first; p <= inner->last; ++p) {
    uint16_t host = outer.first == 0 ? 0 : static_cast<uint16_t>(outer.first + (p - inner->first));
    result.push_back({host_ip, host, static_cast<uint16_t>(p), *proto});
  }
  return result;
}

absl::StatusOr<std::vector<PortMapping>> ParseExpose(absl::string_view spec) {
  absl::string_view rest = spec;
  auto proto = ParseProtocol(&rest, spec);
  if (!proto.ok()) return proto.status();
  auto range = ParseRange(rest, spec);
  if (!range.ok()) return range.status();
  std::vector<PortMapping> result;
  for (uint32_t p = range->first; p <= range->last; ++p) {
    result.push_back({"", 0, static_cast<uint16_t>(p), *proto});
  }
  return result;
}

}  // namespace mydocker::network
