// HTTP for the registry client, through libcurl's multi interface: one thread runs several
// transfers at once. Everything is bounded: a connect timeout, a stall timeout (the transfer is
// abandoned when it moves less than 1 KiB/s for that long), a bounded number of redirects, a cap
// on bodies kept in memory, and a body written to a file must be exactly the expected size.
// Only http and https, also after a redirect; TLS peers are verified against the system's CAs
// plus an optional extra CA file.
#ifndef MYDOCKER_REGISTRY_HTTP_H_
#define MYDOCKER_REGISTRY_HTTP_H_

#include <csignal>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace mydocker::registry {

struct HttpConfig {
  std::string ca_file;  // extra CA certificates (PEM), "" for the system's only
  long connect_timeout_seconds = 30;
  long stall_seconds = 60;
  long max_redirects = 5;
  // Set (by a signal handler) to abandon every transfer: they end with a Cancelled error.
  const volatile std::sig_atomic_t* cancel = nullptr;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  // The body of a successful (2xx) response goes to `fd` when >= 0 (it must then have exactly
  // `expected_size` bytes, and its SHA-256 is computed), else into HttpResponse::body (at most
  // `max_body` bytes). Error responses keep their first bytes in body for the message.
  int fd = -1;
  int64_t expected_size = -1;
  size_t max_body = 64 * 1024;
  // Resumes a body going to `fd` whose first `resume_from` bytes are already there: asks for
  // the rest with "Range: bytes=N-" (a 206 continues the file and its digest; a 200, from a
  // server that ignores ranges, starts it again).
  int64_t resume_from = 0;
  // Called with the bytes received so far (of a body going to fd), or sent (of an upload).
  std::function<void(int64_t)> on_progress;
  // The request body of a POST, PUT or PATCH: `upload_size` bytes read from `upload_fd` (not
  // owned) at `upload_offset` when upload_fd >= 0 (streamed, never held in memory), else
  // `upload_body`.
  std::string upload_body;
  int upload_fd = -1;
  int64_t upload_offset = 0;
  int64_t upload_size = 0;
};

struct HttpResponse {
  absl::Status error;  // transport failure (connection, TLS, timeout, size, redirects)
  long status = 0;
  std::map<std::string, std::string> headers;  // the final response's, names in lower case
  std::string body;
  std::string digest;  // "sha256:<hex>" of what went to fd
  int64_t received = 0;
};

// Runs `requests`, at most `parallel` at a time, and returns their responses in order. When
// `stop_on_error` is set, the first failed transfer (error or non-2xx) abandons the others.
std::vector<HttpResponse> PerformAll(const HttpConfig& config,
                                     const std::vector<HttpRequest>& requests, int parallel,
                                     bool stop_on_error);

// One request.
HttpResponse Perform(const HttpConfig& config, const HttpRequest& request);

// `s` escaped for a URL query.
std::string UrlEscape(const std::string& s);

}  // namespace mydocker::registry

#endif  // MYDOCKER_REGISTRY_HTTP_H_
