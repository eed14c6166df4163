#include "registry/http.h"

#include <curl/curl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "mydocker/status_macros.h"

namespace mydocker::registry {
namespace {

constexpr size_t kMaxErrorBody = 4096;
constexpr size_t kMaxHeaders = 100;
constexpr long kStallBytesPerSecond = 1024;

void GlobalInit() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

// One transfer: its easy handle and where its bytes go.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  sha256_ctx sha;
  char errbuf[CURL_ERROR_SIZE] = {0};
  absl::Status own_error;  // set by a callback that aborted the transfer
  int64_t sent = 0;        // bytes of the request body given to curl
  bool body_started = false;
  bool done = false;

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
  bool Success() const {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    return code >= 200 && code < 300;
  }
};

absl::Status WriteFd(int fd, const char* data, size_t size, int64_t offset) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "write downloaded data");
    data += n;
    offset += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Hashes the first `size` bytes of `fd` (a resumed download's part already received).
absl::Status HashPrefix(int fd, int64_t size, sha256_ctx* sha) {
  std::vector<uint8_t> buffer(64 * 1024);
  for (int64_t done = 0; done < size;) {
    size_t want = static_cast<size_t>(std::min<int64_t>(size - done, buffer.size()));
    ssize_t n = ::pread(fd, buffer.data(), want, done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::DataLossError("the partly downloaded blob cannot be read back");
    sha256_update(sha, static_cast<size_t>(n), buffer.data());
    done += n;
  }
  return absl::OkStatus();
}

// On the first bytes of a resumed body: a 200 (the whole body again) restarts the file.
absl::Status CheckResume(Transfer& t) {
  HttpResponse& r = *t.response;
  long code = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &code);
  if (code == 206) return absl::OkStatus();
  if (::ftruncate(t.request->fd, 0) != 0) return absl::ErrnoToStatus(errno, "truncate");
  sha256_init(&t.sha);
  r.received = 0;
  return absl::OkStatus();
}

absl::Status ToFile(Transfer& t, const char* data, size_t n) {
  HttpResponse& r = *t.response;
  const HttpRequest& q = *t.request;
  if (!t.body_started) {
    t.body_started = true;
    if (q.resume_from > 0) MYDOCKER_RETURN_IF_ERROR(CheckResume(t));
  }
  if (q.expected_size >= 0 && r.received + static_cast<int64_t>(n) > q.expected_size) {
    return absl::DataLossError(absl::StrCat("the server sent more than the ", q.expected_size,
                                            " bytes the descriptor gives"));
  }
  if (absl::Status s = WriteFd(q.fd, data, n, r.received); !s.ok()) return s;
  sha256_update(&t.sha, n, reinterpret_cast<const uint8_t*>(data));
  r.received += static_cast<int64_t>(n);
  if (q.on_progress) q.on_progress(r.received);
  return absl::OkStatus();
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  size_t n = size * count;
  HttpResponse& r = *t.response;
  if (!t.Success()) {
    r.body.append(data, std::min(n, kMaxErrorBody - std::min(kMaxErrorBody, r.body.size())));
    return n;
  }
  if (t.request->fd >= 0) {
    t.own_error = ToFile(t, data, n);
    return t.own_error.ok() ? n : 0;
  }
  if (r.body.size() + n > t.request->max_body) {
    t.own_error = absl::ResourceExhaustedError(
        absl::StrCat("the response is larger than the ", t.request->max_body, " bytes allowed"));
    return 0;
  }
  r.body.append(data, n);
  return n;
}

size_t OnRead(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const HttpRequest& q = *t.request;
  size_t n = static_cast<size_t>(
      std::min<int64_t>(static_cast<int64_t>(size * count), q.upload_size - t.sent));
  if (n == 0) return 0;
  if (q.upload_fd < 0) {
    std::memcpy(data, q.upload_body.data() + t.sent, n);
  } else {
    ssize_t got;
    do {
      got = ::pread(q.upload_fd, data, n, q.upload_offset + t.sent);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
      t.own_error = got < 0 ? absl::ErrnoToStatus(errno, "read the blob to upload")
                            : absl::DataLossError("the blob to upload shrank");
      return CURL_READFUNC_ABORT;
    }
    n = static_cast<size_t>(got);
  }
  t.sent += static_cast<int64_t>(n);
  if (q.on_progress) q.on_progress(t.sent);
  return n;
}

// A request with a body (POST, PUT, PATCH): curl's upload mode with the method named.
void SetupUpload(Transfer& t) {
  CURL* e = t.easy;
  const HttpRequest& q = *t.request;
  curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q.method.c_str());
  curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(q.upload_size));
  curl_easy_setopt(e, CURLOPT_READFUNCTION, &OnRead);
  curl_easy_setopt(e, CURLOPT_READDATA, &t);
  // No "Expect: 100-continue" wait before the body.
  t.headers = curl_slist_append(t.headers, "Expect:");
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  size_t n = size * count;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    t.response->headers.clear();  // a new response (after a redirect or a 100)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos || t.response->headers.size() >= kMaxHeaders) return n;
  std::string name = absl::AsciiStrToLower(line.substr(0, colon));
  t.response->headers[name] = std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  return n;
}

absl::Status Setup(const HttpConfig& config, Transfer& t) {
  CURL* e = t.easy = curl_easy_init();
  if (e == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");
  sha256_init(&t.sha);
  for (const std::string& h : t.request->headers)
    t.headers = curl_slist_append(t.headers, h.c_str());
  const std::string& method = t.request->method;
  if (method == "POST" || method == "PUT" || method == "PATCH") SetupUpload(t);
  if (t.request->resume_from > 0 && t.request->fd >= 0) {
    MYDOCKER_RETURN_IF_ERROR(HashPrefix(t.request->fd, t.request->resume_from, &t.sha));
    t.response->received = t.request->resume_from;
    std::string range = absl::StrCat("Range: bytes=", t.request->resume_from, "-");
    t.headers = curl_slist_append(t.headers, range.c_str());
  }
  curl_easy_setopt(e, CURLOPT_URL, t.request->url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
  if (method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, config.max_redirects);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, config.connect_timeout_seconds);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, kStallBytesPerSecond);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, config.stall_seconds);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "mydocker");
  if (!config.ca_file.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, config.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_CAPATH, "/etc/ssl/certs");
  }
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  return absl::OkStatus();
}

absl::Status CurlError(const HttpConfig& config, const Transfer& t, CURLcode code) {
  if (!t.own_error.ok()) return t.own_error;
  std::string detail = t.errbuf[0] != '\0' ? t.errbuf : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(
          absl::StrCat("the server stalled (less than 1 KiB/s for ", config.stall_seconds,
                       " seconds, or no connection within ", config.connect_timeout_seconds,
                       " seconds): ", detail));
    case CURLE_TOO_MANY_REDIRECTS:
      return absl::UnavailableError(
          absl::StrCat("too many redirects (more than ", config.max_redirects, ")"));
    default:
      return absl::UnavailableError(detail);
  }
}

// Fills the response of a finished transfer.
void Finish(const HttpConfig& config, Transfer& t, CURLcode code) {
  HttpResponse& r = *t.response;
  t.done = true;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &r.status);
  if (code != CURLE_OK) {
    r.error = CurlError(config, t, code);
    return;
  }
  if (t.request->fd < 0 || r.status < 200 || r.status >= 300) return;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&t.sha, sizeof digest, digest);
  r.digest = absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                         reinterpret_cast<const char*>(digest), sizeof digest)));
  if (t.request->expected_size >= 0 && r.received != t.request->expected_size) {
    r.error = absl::DataLossError(absl::StrCat("the server sent ", r.received, " of the ",
                                               t.request->expected_size, " bytes expected"));
  }
}

bool Failed(const HttpResponse& r) { return !r.error.ok() || r.status < 200 || r.status >= 300; }

// Drives the multi handle until every transfer ended (or the first failure, or a cancel).
void Drive(const HttpConfig& config, CURLM* multi, std::vector<std::unique_ptr<Transfer>>& all,
           int parallel, bool stop_on_error) {
  size_t next = 0, running = 0;
  bool stop = false;
  while (true) {
    while (!stop && running < static_cast<size_t>(parallel) && next < all.size()) {
      curl_multi_add_handle(multi, all[next++]->easy);
      ++running;
    }
    if (running == 0) break;
    int still = 0;
    curl_multi_perform(multi, &still);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      Finish(config, *t, msg->data.result);
      curl_multi_remove_handle(multi, t->easy);
      --running;
      if (stop_on_error && Failed(*t->response)) stop = true;
    }
    if (config.cancel != nullptr && *config.cancel != 0) stop = true;
    if (stop && running > 0) {
      for (auto& t : all) curl_multi_remove_handle(multi, t->easy);
      break;
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 200, nullptr);
  }
}

}  // namespace

std::vector<HttpResponse> PerformAll(const HttpConfig& config,
                                     const std::vector<HttpRequest>& requests, int parallel,
                                     bool stop_on_error) {
  GlobalInit();
  std::vector<HttpResponse> responses(requests.size());
  std::vector<std::unique_ptr<Transfer>> all;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto t = std::make_unique<Transfer>();
    t->request = &requests[i];
    t->response = &responses[i];
    if (absl::Status s = Setup(config, *t); !s.ok()) {
      for (HttpResponse& r : responses) r.error = s;
      return responses;
    }
    all.push_back(std::move(t));
  }
  CURLM* multi = curl_multi_init();
  Drive(config, multi, all, parallel, stop_on_error);
  bool cancelled = config.cancel != nullptr && *config.cancel != 0;
  for (auto& t : all) {
    if (t->done) continue;
    t->response->error = cancelled ? absl::CancelledError("interrupted")
                                   : absl::AbortedError("abandoned after another transfer failed");
  }
  all.clear();  // easy handles before the multi handle
  curl_multi_cleanup(multi);
  return responses;
}

HttpResponse Perform(const HttpConfig& config, const HttpRequest& request) {
  return std::move(PerformAll(config, {request}, 1, true)[0]);
}

std::string UrlEscape(const std::string& s) {
  char* escaped = curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size()));
  std::string out = escaped != nullptr ? escaped : "";
  curl_free(escaped);
  return out;
}

}  // namespace mydocker::registry
