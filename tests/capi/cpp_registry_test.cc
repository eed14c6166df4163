// Pull, push, login and logout through the C++ API (mydocker.hpp over libmydocker.so, 1.3)
// against Debian's docker-registry, started here on 127.0.0.1 with htpasswd basic auth: login
// refused then accepted (into a credentials file of the test's), a push and pull round trip
// with the progress events seen, a second push skipping the layer, a cancel from the callback
// leaving nothing, an exception from the callback propagating. Needs root (the image store's
// layers keep their owners) and docker-registry and htpasswd (skipped otherwise).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "mydocker.hpp"

namespace {

using mydocker::api::Error;
using mydocker::api::Progress;
using mydocker::api::RegistryOptions;
using mydocker::api::Runtime;
namespace fs = std::filesystem;

constexpr char kUser[] = "tester";
constexpr char kPassword[] = "s3cret-pass";

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

bool Have(const char* tool) {
  std::string command = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(s);
    return -1;
  }
  close(s);
  return ntohs(a.sin_port);
}

bool Listening(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

// docker-registry with htpasswd auth in a temporary directory, stopped and removed at the end.
class RegistryProcess {
 public:
  static std::string Start(RegistryProcess* r) {
    char tmpl[] = "/tmp/mydocker-cppreg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return "mkdtemp failed";
    r->dir_ = tmpl;
    std::string htpasswd = (r->dir_ / "htpasswd").string();
    std::string make = "htpasswd -Bbn " + std::string(kUser) + " " + kPassword + " > " + htpasswd;
    if (std::system(make.c_str()) != 0) return "htpasswd failed";
    r->port_ = FreePort();
    std::ofstream(r->dir_ / "config.yml")
        << "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
        << "storage:\n  filesystem:\n    rootdirectory: " << (r->dir_ / "data").string() << "\n"
        << "http:\n  addr: 127.0.0.1:" << r->port_ << "\n"
        << "auth:\n  htpasswd:\n    realm: test-realm\n    path: " << htpasswd << "\n";
    std::string config = (r->dir_ / "config.yml").string();
    std::string log = (r->dir_ / "registry.log").string();
    r->pid_ = fork();
    if (r->pid_ == 0) {
      if (freopen(log.c_str(), "w", stdout) == nullptr || dup2(fileno(stdout), 2) < 0) _exit(126);
      execlp("docker-registry", "docker-registry", "serve", config.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      if (Listening(r->port_)) return "";
      if (waitpid(r->pid_, nullptr, WNOHANG) == r->pid_) {
        r->pid_ = -1;
        return "docker-registry exited: " + Slurp(log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "docker-registry did not listen";
  }
  ~RegistryProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  int port_ = -1;
  pid_t pid_ = -1;
};

class CppRegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0 || !Have("docker-registry") || !Have("htpasswd")) return;
    registry_ = new RegistryProcess;
    start_error_ = new std::string(RegistryProcess::Start(registry_));
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete start_error_;
    registry_ = nullptr;
  }

  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (registry_ == nullptr) GTEST_SKIP() << "docker-registry or htpasswd is not installed";
    ASSERT_EQ(*start_error_, "");
    char tmpl[] = "/tmp/mydocker-cppreg-root-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    work_ = tmpl;
    options_.config_path = (work_ / "auth" / "config.json").string();
  }

  void TearDown() override {
    if (!work_.empty()) fs::remove_all(work_);
  }

  // A runtime on a fresh root under the test's directory.
  Runtime Open(const std::string& name) {
    fs::path root = work_ / name;
    fs::create_directories(root);
    return Runtime::Open(root.string(), getenv("MYDOCKER_HELPER"));
  }

  void LogIn() {
    Runtime rt = Open("login");
    rt.Login(registry_->host(), kUser, kPassword, options_);
  }

  // What is in the layer store of `root` besides stored layers: temporary directories.
  static std::set<std::string> Layers(const fs::path& root, bool temporary) {
    std::set<std::string> out;
    fs::path dir = temporary ? root / "layers" : root / "layers" / "sha256";
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (!temporary || name.rfind("tmp-", 0) == 0) out.insert(name);
    }
    return out;
  }

  static RegistryProcess* registry_;
  static std::string* start_error_;
  fs::path work_;
  RegistryOptions options_;
};

RegistryProcess* CppRegistryTest::registry_ = nullptr;
std::string* CppRegistryTest::start_error_ = nullptr;

TEST_F(CppRegistryTest, LoginRefusedThenAcceptedAndLogout) {
  Runtime rt = Open("root");
  try {
    rt.Login(registry_->host(), kUser, "wrong", options_);
    FAIL() << "a wrong password was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_UNAUTHENTICATED) << e.what();
    EXPECT_NE(std::string(e.what()).find("unauthorized"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(options_.config_path)) << "refused credentials were stored";
  rt.Login(registry_->host(), kUser, kPassword, options_);
  struct stat st;
  ASSERT_EQ(stat(options_.config_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(Slurp(options_.config_path).find(registry_->host()), std::string::npos);
  rt.Logout(registry_->host(), options_);
  EXPECT_EQ(Slurp(options_.config_path).find(registry_->host()), std::string::npos);
  try {
    rt.Logout(registry_->host(), options_);
    FAIL() << "a second logout succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_NOT_FOUND);
  }
}

TEST_F(CppRegistryTest, PushWithoutCredentialsIsRefused) {
  Runtime rt = Open("root");
  std::string ref = registry_->host() + "/cpp/refused:v1";
  rt.ImportImage(getenv("MYDOCKER_BUSYBOX_TAR"), ref);
  try {
    rt.Push(ref, options_);
    FAIL() << "a push without credentials succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("authentication required"), std::string::npos) << e.what();
  }
}

TEST_F(CppRegistryTest, PushPullRoundTripWithProgress) {
  LogIn();
  Runtime rt = Open("pusher");
  std::string ref = registry_->host() + "/cpp/box:v1";
  std::string id = rt.ImportImage(getenv("MYDOCKER_BUSYBOX_TAR"), ref);
  std::multiset<std::string> pushed;
  RegistryOptions o = options_;
  o.progress = [&](const Progress& p) {
    pushed.insert(p.status);
    EXPECT_EQ(p.id.size(), 12u);
    return true;
  };
  std::string digest = rt.Push(ref, o);
  EXPECT_EQ(digest.rfind("sha256:", 0), 0u) << digest;
  EXPECT_EQ(pushed.count("Preparing"), 1u);
  EXPECT_EQ(pushed.count("Pushed"), 1u);
  EXPECT_GE(pushed.count("Pushing"), 1u);
  pushed.clear();
  EXPECT_EQ(rt.Push(ref, o), digest);
  EXPECT_EQ(pushed.count("Layer already exists"), 1u);
  EXPECT_EQ(pushed.count("Pushing"), 0u);

  Runtime fresh = Open("puller");
  std::vector<Progress> events;
  o.progress = [&](const Progress& p) {
    events.push_back(p);
    return true;
  };
  EXPECT_EQ(fresh.Pull(ref, o), id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().kind, MYDOCKER_PROGRESS_RESOLVED);
  EXPECT_EQ(events.front().total, 1);
  std::set<std::string> statuses;
  for (const Progress& p : events) statuses.insert(p.status);
  for (const char* want :
       {"Pulling fs layer", "Downloading", "Download complete", "Extracting", "Pull complete"}) {
    EXPECT_EQ(statuses.count(want), 1u) << want;
  }
  EXPECT_NE(fresh.InspectImage(ref).find(id), std::string::npos);
  events.clear();
  EXPECT_EQ(fresh.Pull(ref, o), id);  // again: nothing fetched
  statuses.clear();
  for (const Progress& p : events) statuses.insert(p.status);
  EXPECT_EQ(statuses.count("Already exists"), 1u);
  EXPECT_EQ(statuses.count("Downloading"), 0u);
}

// The byte counts reach the callback at most every ~100 ms per layer, plus each layer's last:
// over a transfer of T ms, at most 2 + T / 100 "Pushing" or "Downloading" calls for the one
// layer (libcurl reports every 16 KiB: hundreds of chunks here).
TEST_F(CppRegistryTest, ByteCountsAreThrottledPerLayer) {
  LogIn();
  Runtime rt = Open("pusher");
  fs::path content = work_ / "content";
  fs::create_directories(content);
  std::string make = "head -c 8388608 /dev/urandom > " + (content / "blob").string() +
                     " && tar -C " + content.string() + " -cf " + (work_ / "big.tar").string() +
                     " blob";
  ASSERT_EQ(std::system(make.c_str()), 0);
  std::string ref = registry_->host() + "/cpp/big:v1";
  std::string id = rt.ImportImage((work_ / "big.tar").string(), ref);
  for (bool push : {true, false}) {
    Runtime fresh = Open("puller");
    int bytes_calls = 0;
    int64_t last = -1, total = 0;
    RegistryOptions o = options_;
    int kind = push ? MYDOCKER_PROGRESS_PUSHING : MYDOCKER_PROGRESS_DOWNLOADING;
    o.progress = [&](const Progress& p) {
      if (p.kind == kind) {
        ++bytes_calls;
        last = p.current;
        total = p.total;
      }
      return true;
    };
    auto start = std::chrono::steady_clock::now();
    if (push) {
      rt.Push(ref, o);
    } else {
      EXPECT_EQ(fresh.Pull(ref, o), id);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    EXPECT_GE(total, 8 << 20) << push;  // random data: gzip does not shrink it
    EXPECT_EQ(last, total) << "the layer's last byte count was not delivered";
    EXPECT_GE(bytes_calls, 1);
    EXPECT_LE(bytes_calls, 2 + ms / 100) << (push ? "push" : "pull") << " took " << ms << " ms";
  }
}

TEST_F(CppRegistryTest, CancelFromTheCallbackLeavesNothing) {
  LogIn();
  Runtime rt = Open("pusher");
  std::string ref = registry_->host() + "/cpp/cancel:v1";
  rt.ImportImage(getenv("MYDOCKER_BUSYBOX_TAR"), ref);
  rt.Push(ref, options_);
  Runtime fresh = Open("puller");
  int downloading = 0;
  RegistryOptions o = options_;
  o.progress = [&](const Progress& p) {
    return p.kind != MYDOCKER_PROGRESS_DOWNLOADING || ++downloading < 2;
  };
  try {
    fresh.Pull(ref, o);
    FAIL() << "the pull was not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_CANCELLED) << e.what();
  }
  EXPECT_EQ(downloading, 2) << "events went on after the cancel";
  EXPECT_EQ(fresh.ListImages(), "[]");
  EXPECT_TRUE(Layers(work_ / "puller", false).empty());
  EXPECT_TRUE(Layers(work_ / "puller", true).empty());

  // An exception from the callback cancels too, and is what the caller sees.
  o.progress = [](const Progress&) -> bool { throw std::runtime_error("from the callback"); };
  EXPECT_THROW(
      {
        try {
          fresh.Pull(ref, o);
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "from the callback");
          throw;
        }
      },
      std::runtime_error);
  EXPECT_EQ(fresh.ListImages(), "[]");
  EXPECT_TRUE(Layers(work_ / "puller", true).empty());
}

TEST_F(CppRegistryTest, CancelledPushPutsNoManifest) {
  LogIn();
  Runtime rt = Open("pusher");
  std::string ref = registry_->host() + "/cpp/halfway:v1";
  rt.ImportImage(getenv("MYDOCKER_BUSYBOX_TAR"), ref);
  int pushing = 0;
  RegistryOptions o = options_;
  o.progress = [&](const Progress& p) {
    return p.kind != MYDOCKER_PROGRESS_PUSHING || ++pushing < 2;
  };
  try {
    rt.Push(ref, o);
    FAIL() << "the push was not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_CANCELLED) << e.what();
  }
  EXPECT_EQ(pushing, 2) << "events went on after the cancel";
  Runtime fresh = Open("puller");
  try {
    fresh.Pull(ref, options_);
    FAIL() << "a cancelled push left a manifest";
  } catch (const Error& e) {
    EXPECT_NE(e.code(), MYDOCKER_OK);
  }
  EXPECT_EQ(fresh.ListImages(), "[]");
}

}  // namespace
