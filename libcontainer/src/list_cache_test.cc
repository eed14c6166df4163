#include "list_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "mydocker/fs_util.h"
#include "mydocker/network_store.h"

namespace mydocker {
namespace {

ContainerState FullState(const std::string& id) {
  ContainerState s;
  s.id = id;
  s.name = "web-1";
  s.image = "busybox:latest";
  s.image_id = "sha256:" + std::string(64, 'b');
  s.command = {"sh", "-c", std::string("a\0b", 3)};
  s.status = ContainerStatus::kRestarting;
  s.created = absl::FromUnixNanos(1700000000123456789);
  s.started = absl::FromUnixSeconds(1700000001);
  s.finished = absl::InfiniteFuture();
  s.init = {1234, 987654321, 77};
  s.monitor = {1233, 987654000, 78};
  s.exit_code = -1;
  s.oom_killed = true;
  s.error = "exec: \"nope\": not found";
  s.auto_remove = true;
  s.restart_count = 7;
  s.manually_stopped = true;
  s.restart_cancelled = true;
  s.restarting = {4321, 555000, 79};
  s.committing = {4322, 555001, 80};
  s.commit_froze = true;
  s.log_path = "/var/lib/mydocker/containers/a/container.log";
  s.cgroup_path = "mydocker/aaaa";
  HealthState health;
  health.status = kHealthUnhealthy;
  health.failing_streak = 4;
  health.log.push_back(
      {absl::FromUnixSeconds(1700000003), absl::FromUnixSeconds(1700000004), 1, "no\n"});
  s.health = health;
  return s;
}

TEST(ListCacheTest, EncodingRoundTripsEveryField) {
  ContainerState s = FullState(std::string(64, 'a'));
  std::string blob = EncodeStateForCache(s);
  absl::string_view in = blob;
  absl::StatusOr<ContainerState> back = DecodeStateFromCache(&in);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(StateToJson(*back), StateToJson(s));
  EXPECT_EQ(back->init.pidfs_ino, 77u);
  EXPECT_EQ(back->committing.pidfs_ino, 80u);
  EXPECT_EQ(back->finished, absl::InfiniteFuture());
  EXPECT_EQ(back->command[2], std::string("a\0b", 3));
  ASSERT_TRUE(back->health.has_value());
  EXPECT_EQ(*back->health, *s.health);
  ContainerState empty;
  empty.id = std::string(64, 'c');
  blob = EncodeStateForCache(empty);
  in = blob;
  back = DecodeStateFromCache(&in);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(StateToJson(*back), StateToJson(empty));
  EXPECT_FALSE(back->exit_code.has_value());
}

TEST(ListCacheTest, TruncatedEncodingIsRefused) {
  std::string blob = EncodeStateForCache(FullState(std::string(64, 'a')));
  for (size_t n = 0; n < blob.size(); n += 7) {
    absl::string_view in(blob.data(), n);
    EXPECT_FALSE(DecodeStateFromCache(&in).ok()) << n;
  }
}

std::vector<NetworkAttachment> FullNetworks() {
  NetworkAttachment a;
  a.network = "front";
  a.bridge = "br-0123456789ab";
  a.subnet = "10.7.0.0/24";
  a.ip = "10.7.0.5";
  a.gateway = "10.7.0.1";
  a.mac = "02:42:0a:07:00:05";
  a.internal = true;
  a.host_veth = "veth0123456789a";
  a.interface = "eth1";
  a.ports = {{"127.0.0.1", 8080, 80, "tcp"}, {"", 5353, 53, "udp"}};
  a.aliases = {"web", std::string("a\0b", 3)};
  NetworkAttachment joined;
  joined.join_container = std::string(64, 'd');
  NetworkAttachment host;
  host.host = true;
  return {a, joined, host};
}

TEST(ListCacheTest, NetworksRoundTripEveryField) {
  for (const std::vector<NetworkAttachment>& networks :
       {FullNetworks(), std::vector<NetworkAttachment>{}}) {
    std::string blob = EncodeNetworksForCache(networks);
    absl::string_view in = blob;
    absl::StatusOr<std::vector<NetworkAttachment>> back = DecodeNetworksFromCache(&in);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(network::AttachmentsToJson(*back), network::AttachmentsToJson(networks));
  }
}

TEST(ListCacheTest, TruncatedOrDamagedNetworksAreRefused) {
  std::string blob = EncodeNetworksForCache(FullNetworks());
  for (size_t n = 0; n < blob.size(); n += 5) {
    absl::string_view in(blob.data(), n);
    EXPECT_FALSE(DecodeNetworksFromCache(&in).ok()) << n;
  }
  std::string huge = blob;
  huge[0] = '\xff';  // 255 attachments in a blob of a few hundred bytes
  absl::string_view in = huge;
  EXPECT_FALSE(DecodeNetworksFromCache(&in).ok());
}

class ListCacheDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/list-cache-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/containers";
    cache_ = root_ + "/cache/containers.list";
    ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0);
  }
  void TearDown() override { ASSERT_TRUE(RemoveAll(root_).ok()); }

  // A container directory whose records are `state` (as the loader below returns them).
  // `marks`: how many of the writer's two MarkRecordsChanging calls it makes (1: it died
  // between its change and the second).
  void Put(const ContainerState& state, int marks = 2) {
    std::string d = absl::StrCat(dir_, "/", state.id);
    ::mkdir(d.c_str(), 0700);
    truth_[state.id] = state;
    if (marks > 0) MarkRecordsChanging(d);
    // As a record replaced by rename would: the directory's times change.
    ASSERT_TRUE(WriteFileAtomic(d + "/state", state.name, 0600, false).ok());
    if (marks > 1) MarkRecordsChanging(d);
  }
  // Past the window in which a change is too recent to cache (a directory's times cannot be
  // set back: the change time is the kernel's).
  static void Settle() { absl::SleepFor(absl::Milliseconds(150)); }

  std::vector<ListedRecord> List(std::vector<std::string>* bad = nullptr) {
    loads_ = 0;
    auto load = [this](const std::string& id) -> absl::StatusOr<ListedRecord> {
      ++loads_;
      auto it = truth_.find(id);
      if (it == truth_.end()) return absl::InvalidArgumentError("bad record");
      NetworkAttachment a;
      a.network = id.substr(0, 4);
      a.ports = {{"", 8000, 80, "tcp"}};
      return ListedRecord{it->second, {a}};
    };
    absl::StatusOr<std::vector<ListedRecord>> r = ListRecordsCached(dir_, cache_, load, bad);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<ListedRecord>{};
  }

  std::string root_;
  std::string dir_;    // the containers directory
  std::string cache_;  // the cache file, in a directory the first listing makes
  std::map<std::string, ContainerState> truth_;
  int loads_ = 0;
};

TEST_F(ListCacheDirTest, UnchangedDirectoriesAreServedFromTheCache) {
  Put(FullState(std::string(64, 'a')));
  Put(FullState(std::string(64, 'b')));
  Settle();
  EXPECT_EQ(List().size(), 2u);
  EXPECT_EQ(loads_, 2);
  std::vector<ListedRecord> again = List();
  EXPECT_EQ(loads_, 0);
  ASSERT_EQ(again.size(), 2u);
  for (const ListedRecord& r : again) {
    EXPECT_EQ(StateToJson(r.state), StateToJson(truth_[r.state.id]));
    ASSERT_EQ(r.networks.size(), 1u);
    EXPECT_EQ(r.networks[0].network, r.state.id.substr(0, 4));
    EXPECT_EQ(r.networks[0].ports, (std::vector<PortMapping>{{"", 8000, 80, "tcp"}}));
  }
}

TEST_F(ListCacheDirTest, AChangedDirectoryIsReadAgain) {
  ContainerState a = FullState(std::string(64, 'a'));
  Put(a);
  Put(FullState(std::string(64, 'b')));
  Settle();
  List();
  a.status = ContainerStatus::kStopped;
  a.exit_code = 3;
  Put(a);  // changed just now: read again, whatever the clock's granularity
  std::vector<ListedRecord> listed = List();
  EXPECT_EQ(loads_, 1);
  ASSERT_EQ(listed.size(), 2u);
  for (const ListedRecord& r : listed) {
    if (r.state.id == a.id) {
      EXPECT_EQ(r.state.exit_code, 3);
    }
  }
}

TEST_F(ListCacheDirTest, AWriterThatDiedBeforeItsSecondMarkIsStillSeen) {
  ContainerState a = FullState(std::string(64, 'a'));
  Put(a);
  Settle();
  List();
  List();  // complete and trusted
  EXPECT_EQ(loads_, 0);
  a.exit_code = 9;
  Put(a, /*marks=*/1);
  Settle();
  std::vector<ListedRecord> listed = List();
  EXPECT_EQ(loads_, 1);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state.exit_code, 9);
  List();
  EXPECT_EQ(loads_, 0);
}

TEST_F(ListCacheDirTest, ACompleteCacheIsTrustedWithoutLookingAtEachContainer) {
  // What makes a listing cost one stat however many containers there are: a change made
  // without the marks (no writer of the runtime does that) is not looked for.
  ContainerState a = FullState(std::string(64, 'a'));
  Put(a);
  Settle();
  List();
  a.exit_code = 4;
  Put(a, /*marks=*/0);
  Settle();
  std::vector<ListedRecord> listed = List();
  EXPECT_EQ(loads_, 0);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_NE(listed[0].state.exit_code, 4);
  // The next marked change (of any container) makes every entry be checked again.
  MarkRecordsChanging(absl::StrCat(dir_, "/", a.id));
  Settle();
  listed = List();
  EXPECT_EQ(loads_, 1);
  EXPECT_EQ(listed[0].state.exit_code, 4);
}

TEST_F(ListCacheDirTest, RecentChangesAreNeverCached) {
  // Changed just now: a second change in the same clock tick would leave the same times.
  Put(FullState(std::string(64, 'a')));
  List();
  List();
  EXPECT_EQ(loads_, 1);
}

TEST_F(ListCacheDirTest, RemovedContainersLeaveTheListAndOtherEntriesAreIgnored) {
  Put(FullState(std::string(64, 'a')));
  Put(FullState(std::string(64, 'b')));
  Settle();
  List();
  ASSERT_TRUE(RemoveAll(absl::StrCat(dir_, "/", std::string(64, 'b'))).ok());
  ASSERT_EQ(::mkdir((dir_ + "/.creating-x").c_str(), 0700), 0);
  std::vector<ListedRecord> listed = List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state.id, std::string(64, 'a'));
  EXPECT_EQ(loads_, 0);
}

TEST_F(ListCacheDirTest, ACorruptCacheIsIgnoredAndRewritten) {
  Put(FullState(std::string(64, 'a')));
  Settle();
  List();
  const std::string& cache = cache_;
  absl::StatusOr<std::string> data = ReadFile(cache);
  ASSERT_TRUE(data.ok());
  for (size_t cut : {size_t{0}, data->size() / 2, data->size() - 1}) {
    ASSERT_TRUE(WriteFileAtomic(cache, data->substr(0, cut), 0600, false).ok());
    EXPECT_EQ(List().size(), 1u);
    EXPECT_EQ(loads_, 1) << cut;
    EXPECT_EQ(ReadFile(cache).value_or(""), *data);
  }
}

// A writer killed between creating its temporary file and the rename leaves it: the next write
// of the cache deletes it once its writer (named in the file name) is gone, and never a live
// writer's. Those of versions before 1.6 in the containers directory, and their cache file, go
// at the next listing that reads that directory.
TEST_F(ListCacheDirTest, TemporaryFilesOfDeadWritersAreDeleted) {
  Put(FullState(std::string(64, 'a')));
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  ASSERT_EQ(::mkdir((root_ + "/cache").c_str(), 0700), 0);
  const std::string dead = absl::StrCat(cache_, ".tmp-", child, "-1");
  const std::string live = absl::StrCat(cache_, ".tmp-", ::getpid(), "-2");
  const std::string old_dead = absl::StrCat(dir_, "/.list-cache.tmp-", child, "-1");
  const std::string old_live = absl::StrCat(dir_, "/.list-cache.tmp-", ::getpid(), "-2");
  const std::string old_cache = dir_ + "/.list-cache";
  const std::string other = dir_ + "/.other.tmp-1-3";
  for (const std::string& path : {dead, live, old_dead, old_live, old_cache, other}) {
    ASSERT_TRUE(WriteFileAtomic(path, "partial", 0600, false).ok());
  }
  Settle();
  EXPECT_EQ(List().size(), 1u);
  EXPECT_TRUE(PathExists(cache_));
  EXPECT_FALSE(PathExists(dead));
  EXPECT_TRUE(PathExists(live));
  EXPECT_FALSE(PathExists(old_dead));
  EXPECT_FALSE(PathExists(old_cache));
  EXPECT_TRUE(PathExists(old_live));
  EXPECT_TRUE(PathExists(other));
}

// Once a listing has seen every container of an unchanged directory, the next takes the list
// from the cache; a container made or removed since changes the directory and is seen at once,
// even within the same clock tick as that listing.
TEST_F(ListCacheDirTest, ContainersMadeOrRemovedAfterACompleteListingAreSeen) {
  Put(FullState(std::string(64, 'a')));
  Put(FullState(std::string(64, 'b')));
  Settle();
  EXPECT_EQ(List().size(), 2u);
  EXPECT_EQ(List().size(), 2u);
  EXPECT_EQ(loads_, 0);
  Put(FullState(std::string(64, 'c')));
  EXPECT_EQ(List().size(), 3u);
  EXPECT_EQ(loads_, 1);
  ASSERT_TRUE(RemoveAll(absl::StrCat(dir_, "/", std::string(64, 'a'))).ok());
  std::vector<ListedRecord> listed = List();
  ASSERT_EQ(listed.size(), 2u);
  for (const ListedRecord& r : listed) EXPECT_NE(r.state.id, std::string(64, 'a'));
  Settle();
  EXPECT_EQ(List().size(), 2u);
  Put(FullState(std::string(64, 'd')));  // right after a listing that took the cache's list
  EXPECT_EQ(List().size(), 3u);
}

// A record that cannot be read is reported by every listing: a cache never hides it.
TEST_F(ListCacheDirTest, AnUnreadableRecordIsReportedEveryTime) {
  Put(FullState(std::string(64, 'a')));
  const std::string broken(64, 'e');
  ASSERT_EQ(::mkdir(absl::StrCat(dir_, "/", broken).c_str(), 0700), 0);
  Settle();
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> bad;
    EXPECT_EQ(List(&bad).size(), 1u);
    EXPECT_EQ(bad, std::vector<std::string>{broken}) << i;
  }
}

}  // namespace
}  // namespace mydocker
