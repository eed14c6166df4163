#include "mydocker/state_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mydocker {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mydocker-state-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    root_ = tmp_ + "/root";
    absl::StatusOr<std::unique_ptr<StateStore>> store = StateStore::Open(root_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override { ASSERT_TRUE(RemoveAll(tmp_).ok()); }

  // A state for a new container; `id_prefix` fixes the start of its id.
  static ContainerState NewState(const std::string& name, const std::string& id_prefix = "",
                                 int64_t created_seconds = 1700000000) {
    ContainerState s;
    s.id = id_prefix + NewContainerId().substr(id_prefix.size());
    s.name = name;
    s.image = "busybox";
    s.command = {"sh"};
    s.created = absl::FromUnixSeconds(created_seconds);
    return s;
  }

  static ContainerConfig Config() {
    ContainerConfig c = DefaultContainerConfig();
    c.process.args = {"sh"};
    return c;
  }

  std::string Create(const std::string& name, const std::string& id_prefix = "",
                     int64_t created_seconds = 1700000000) {
    ContainerState s = NewState(name, id_prefix, created_seconds);
    absl::Status status = store_->Create(s, Config());
    EXPECT_TRUE(status.ok()) << status;
    return s.id;
  }

  size_t CountEntries(const std::string& dir) {
    absl::StatusOr<std::vector<std::string>> entries = ListDir(dir);
    return entries.ok() ? entries->size() : 0;
  }

  std::string tmp_;
  std::string root_;
  std::unique_ptr<StateStore> store_;
};

TEST(StateStoreIdTest, NewContainerIdIsRandomHex) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewContainerId();
    EXPECT_TRUE(IsFullContainerId(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_FALSE(IsFullContainerId(std::string(63, 'a')));
  EXPECT_FALSE(IsFullContainerId(std::string(64, 'A')));
  EXPECT_FALSE(IsFullContainerId(std::string(63, 'a') + "g"));
}

TEST(StateStoreIdTest, ValidateContainerName) {
  for (const char* good : {"a", "web-1", "A_b.c-d", "0"}) {
    EXPECT_TRUE(ValidateContainerName(good).ok()) << good;
  }
  EXPECT_TRUE(ValidateContainerName(std::string(128, 'x')).ok());
  for (const std::string& bad :
       std::vector<std::string>{"", "-a", ".a", "_a", "..", "a/b", "../x", "a b", "a\nb", "é",
                                std::string("a\0b", 3), std::string(129, 'x')}) {
    absl::Status s = ValidateContainerName(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(std::string(s.message()).find('\n'), std::string::npos) << s;
  }
}

TEST_F(StateStoreTest, OpenRequiresAbsoluteRoot) {
  EXPECT_EQ(StateStore::Open("relative/root").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StateStore::Open("").status().code(), absl::StatusCode::kInvalidArgument);
  struct stat st;
  ASSERT_EQ(stat(root_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(PathExists(root_ + "/containers"));
  EXPECT_TRUE(PathExists(root_ + "/names"));
  // Opening again is fine.
  EXPECT_TRUE(StateStore::Open(root_ + "/").ok());
}

TEST_F(StateStoreTest, CreateThenLoad) {
  ContainerState s = NewState("web");
  s.exit_code = 3;
  ContainerConfig c = Config();
  c.hostname = "web";
  ASSERT_TRUE(store_->Create(s, c).ok());
  absl::StatusOr<ContainerState> loaded = store_->LoadState(s.id);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->name, "web");
  EXPECT_EQ(loaded->exit_code, 3);
  EXPECT_EQ(loaded->created, s.created);
  absl::StatusOr<ContainerConfig> config = store_->LoadConfig(s.id);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->hostname, "web");
  EXPECT_EQ(config->process.args, std::vector<std::string>{"sh"});
  // Only the container directory is left, no staging directory.
  EXPECT_EQ(CountEntries(root_ + "/containers"), 1u);
}

TEST_F(StateStoreTest, CreateRejectsBadIdOrName) {
  ContainerState s = NewState("ok");
  s.id = "../../etc";
  EXPECT_EQ(store_->Create(s, Config()).code(), absl::StatusCode::kInvalidArgument);
  s = NewState("../evil");
  EXPECT_EQ(store_->Create(s, Config()).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CountEntries(root_ + "/containers"), 0u);
  EXPECT_EQ(CountEntries(root_ + "/names"), 0u);
}

TEST_F(StateStoreTest, DuplicateNameIsRefusedAndLeavesNothing) {
  std::string first = Create("db");
  ContainerState second = NewState("db");
  absl::Status s = store_->Create(second, Config());
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "name \"db\" is already in use by container " + first.substr(0, 12));
  EXPECT_EQ(CountEntries(root_ + "/containers"), 1u);
  EXPECT_FALSE(store_->LoadState(second.id).ok());
}

TEST_F(StateStoreTest, ConcurrentCreateWithSameNameHasOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, exists{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      ContainerState s = NewState("race");
      while (!go) std::this_thread::yield();
      absl::Status status = store_->Create(s, Config());
      if (status.ok()) {
        ++ok;
      } else if (status.code() == absl::StatusCode::kAlreadyExists) {
        ++exists;
      } else {
        ++other;
      }
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(exists, kThreads - 1);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(CountEntries(root_ + "/containers"), 1u);
  absl::StatusOr<std::string> id = store_->Resolve("race");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_TRUE(store_->LoadState(*id).ok());
}

TEST_F(StateStoreTest, ResolveByIdNameAndPrefix) {
  std::string a = Create("alpha", "ab1");
  std::string b = Create("beta", "ab2");
  EXPECT_EQ(*store_->Resolve(a), a);
  EXPECT_EQ(*store_->Resolve("beta"), b);
  EXPECT_EQ(*store_->Resolve("ab1"), a);
  EXPECT_EQ(*store_->Resolve(b.substr(0, 12)), b);
  absl::StatusOr<std::string> ambiguous = store_->Resolve("ab");
  EXPECT_EQ(ambiguous.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ambiguous.status().message(),
            "container prefix \"ab\" is ambiguous: matches 2 containers");
  absl::StatusOr<std::string> missing = store_->Resolve("gamma");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "no such container: gamma");
  EXPECT_EQ(store_->Resolve("ff").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(StateStoreTest, NameTakesPrecedenceOverPrefix) {
  std::string a = Create("x1", "abc");
  std::string b = Create("abc");  // a name that is also a prefix of a's id
  EXPECT_EQ(*store_->Resolve("abc"), b);
  EXPECT_EQ(*store_->Resolve("ab"), a);
}

TEST_F(StateStoreTest, ResolveNeverLeavesTheStore) {
  Create("web");
  // A planted link pointing outside the store is not a container.
  ASSERT_EQ(symlink("../../../etc", (root_ + "/names/evil").c_str()), 0);
  for (const std::string& ref :
       std::vector<std::string>{"../x", "..", ".", "a/b", "/etc", "names/web", "../names/web",
                                "evil", std::string("web\0x", 5)}) {
    absl::StatusOr<std::string> id = store_->Resolve(ref);
    EXPECT_FALSE(id.ok()) << ref << " resolved to " << *id;
  }
  EXPECT_EQ(store_->Resolve("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LoadState("../x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Lock("../x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Remove("..").code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StateStoreTest, StaleNameReservationIsReplaced) {
  // As if a crash happened between reserving the name and creating the directory.
  std::string ghost = NewContainerId();
  ASSERT_EQ(symlink(ghost.c_str(), (root_ + "/names/web").c_str()), 0);
  EXPECT_EQ(store_->Resolve("web").status().code(), absl::StatusCode::kNotFound);
  std::string id = Create("web");
  EXPECT_EQ(*store_->Resolve("web"), id);
}

TEST_F(StateStoreTest, NonLinkInNamesReservesNothing) {
  ASSERT_TRUE(WriteFileAtomic(root_ + "/names/web", "junk").ok());
  EXPECT_EQ(store_->Resolve("web").status().code(), absl::StatusCode::kNotFound);
  std::string id = Create("web");
  EXPECT_EQ(*store_->Resolve("web"), id);
}

TEST_F(StateStoreTest, ListIsNewestFirstAndSkipsBadRecords) {
  std::string old_id = Create("old", "", 1000);
  std::string new_id = Create("new", "", 3000);
  std::string mid_id = Create("mid", "", 2000);
  std::string corrupt = Create("corrupt");
  std::string missing = Create("missing");
  ASSERT_TRUE(WriteFileAtomic(store_->ContainerDir(corrupt) + "/state.json", "{\"id\": tru").ok());
  ASSERT_EQ(unlink((store_->ContainerDir(missing) + "/state.json").c_str()), 0);
  // A stray file in containers/ is not a container.
  ASSERT_TRUE(WriteFileAtomic(root_ + "/containers/README", "x").ok());

  std::vector<std::string> bad;
  absl::StatusOr<std::vector<ContainerState>> list = store_->List(&bad);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, new_id);
  EXPECT_EQ((*list)[1].id, mid_id);
  EXPECT_EQ((*list)[2].id, old_id);
  std::sort(bad.begin(), bad.end());
  std::vector<std::string> expected_bad = {corrupt, missing};
  std::sort(expected_bad.begin(), expected_bad.end());
  EXPECT_EQ(bad, expected_bad);
  EXPECT_TRUE(store_->List().ok());
}

TEST_F(StateStoreTest, LoadStateRefusesRecordOfAnotherId) {
  std::string a = Create("a");
  std::string b = Create("b");
  absl::StatusOr<std::string> b_json = ReadFile(store_->ContainerDir(b) + "/state.json");
  ASSERT_TRUE(b_json.ok());
  ASSERT_TRUE(WriteFileAtomic(store_->ContainerDir(a) + "/state.json", *b_json).ok());
  EXPECT_FALSE(store_->LoadState(a).ok());
}

TEST_F(StateStoreTest, SaveStateUnderConcurrentWritersIsNeverTorn) {
  std::string id = Create("busy");
  constexpr int kWriters = 8;
  constexpr int kWrites = 15;
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread reader([&] {
    while (!done) {
      absl::StatusOr<ContainerState> s = store_->LoadState(id);
      if (!s.ok()) {
        ++torn;
        continue;
      }
      // Every writer fills `error` with one repeated letter; a mix would mean a torn write.
      if (!s->error.empty() && s->error != std::string(s->error.size(), s->error[0])) ++torn;
      ++reads;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      ContainerState s = *store_->LoadState(id);
      s.error = std::string(40000 + w, static_cast<char>('a' + w));
      for (int i = 0; i < kWrites; ++i) {
        absl::StatusOr<FileLock> lock = store_->Lock(id);
        ASSERT_TRUE(lock.ok()) << lock.status();
        ASSERT_TRUE(store_->SaveState(s).ok());
      }
    });
  }
  for (std::thread& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(torn, 0);
  EXPECT_GT(reads, 0);
  // No temporary files are left beside the record.
  EXPECT_EQ(CountEntries(store_->ContainerDir(id)), 2u);
}

TEST_F(StateStoreTest, RenameMovesTheName) {
  std::string a = Create("before");
  Create("taken");
  EXPECT_EQ(store_->Rename(a, "taken").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->Rename(a, "bad/name").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Rename(a, "before").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->Rename(a, "after").ok());
  EXPECT_EQ(*store_->Resolve("after"), a);
  EXPECT_EQ(store_->Resolve("before").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->LoadState(a)->name, "after");
  // The old name is free again.
  Create("before");
}

TEST_F(StateStoreTest, RemoveDeletesDirectoryAndName) {
  std::string id = Create("gone");
  ASSERT_TRUE(MakeDirs(store_->ContainerDir(id) + "/upper/a/b").ok());
  {
    absl::StatusOr<FileLock> lock = store_->Lock(id);
    ASSERT_TRUE(lock.ok());
    ASSERT_TRUE(store_->Remove(id).ok());
  }
  EXPECT_FALSE(PathExists(store_->ContainerDir(id)));
  EXPECT_EQ(CountEntries(root_ + "/names"), 0u);
  EXPECT_EQ(store_->Resolve("gone").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->LoadState(id).status().code(), absl::StatusCode::kNotFound);
  // Removing again is not an error: cleanup steps tolerate "already gone".
  EXPECT_TRUE(store_->Remove(id).ok());
}

TEST_F(StateStoreTest, DetachHidesTheContainerAtOnceAndPurgeDeletesIt) {
  std::string id = Create("detached");
  ASSERT_TRUE(MakeDirs(store_->ContainerDir(id) + "/upper/a/b").ok());
  absl::StatusOr<FileLock> lock = store_->Lock(id);
  ASSERT_TRUE(lock.ok());
  absl::StatusOr<std::string> trash = store_->Detach(id);
  ASSERT_TRUE(trash.ok()) << trash.status();
  EXPECT_FALSE(PathExists(store_->ContainerDir(id)));
  EXPECT_EQ(CountEntries(root_ + "/names"), 0u);
  EXPECT_EQ(store_->Resolve("detached").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->List()->size(), 0u);
  EXPECT_TRUE(PathExists(*trash + "/upper/a/b"));  // not deleted yet
  ASSERT_TRUE(store_->Purge(*trash).ok());
  EXPECT_EQ(CountEntries(root_ + "/trash"), 0u);
}

TEST_F(StateStoreTest, PurgeDeletesTrashOfADeadRemoverButNotOfALiveOne) {
  const std::string dead = root_ + "/trash/" + NewContainerId();
  const std::string live = root_ + "/trash/" + NewContainerId();
  ASSERT_TRUE(MakeDirs(dead + "/upper/x").ok());
  ASSERT_TRUE(MakeDirs(live + "/upper/y").ok());
  {
    absl::StatusOr<FileLock> busy = FileLock::Acquire(live);  // a remover still at work
    ASSERT_TRUE(busy.ok());
    ASSERT_TRUE(store_->Purge("").ok());
    EXPECT_FALSE(PathExists(dead));
    EXPECT_TRUE(PathExists(live + "/upper/y"));
  }
  ASSERT_TRUE(store_->Purge("").ok());
  EXPECT_EQ(CountEntries(root_ + "/trash"), 0u);
}

// A creator that died between its mkdir and the rename leaves containers/.creating-<id>: the
// next Purge deletes it, however young, when nobody holds it; a live creator's stays, and so does
// everything while a creator is between its mkdir and its lock (it holds the staging guard).
TEST_F(StateStoreTest, PurgeDeletesStagingOfADeadCreatorOnly) {
  const std::string dead = root_ + "/containers/.creating-" + NewContainerId();
  const std::string live = root_ + "/containers/.creating-" + NewContainerId();
  for (const std::string& dir : {dead, live}) {
    ASSERT_TRUE(MakeDirs(dir).ok());
    ASSERT_TRUE(WriteFileAtomic(dir + "/config.json", "{}").ok());
  }
  std::string id = Create("kept");
  {
    // A creator between its mkdir and its lock: nothing is pruned yet.
    UniqueFd guard(::open((root_ + "/.creating.lock").c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(guard);
    ASSERT_EQ(::flock(guard.get(), LOCK_SH), 0);
    ASSERT_TRUE(store_->Purge("").ok());
    EXPECT_TRUE(PathExists(dead + "/config.json"));
  }
  {
    absl::StatusOr<FileLock> busy = FileLock::Acquire(live);  // a creator still at work
    ASSERT_TRUE(busy.ok());
    ASSERT_TRUE(store_->Purge("").ok());
    EXPECT_FALSE(PathExists(dead));
    EXPECT_TRUE(PathExists(live + "/config.json"));
  }
  EXPECT_TRUE(store_->LoadState(id).ok());
  EXPECT_EQ(store_->List()->size(), 1u);
  ASSERT_TRUE(store_->Purge("").ok());
  EXPECT_FALSE(PathExists(live));
}

TEST_F(StateStoreTest, RemoveOfBadRecordStillReleasesItsName) {
  std::string id = Create("broken");
  ASSERT_TRUE(WriteFileAtomic(store_->ContainerDir(id) + "/state.json", "garbage").ok());
  ASSERT_TRUE(store_->Remove(id).ok());
  EXPECT_EQ(CountEntries(root_ + "/names"), 0u);
}

TEST_F(StateStoreTest, RemoveLeavesANameThatWasReused) {
  std::string old_id = Create("app");
  // Simulate the name having moved on to another container (stale link healed by a create).
  std::string new_id = NewContainerId();
  ASSERT_TRUE(MakeDirs(store_->ContainerDir(new_id)).ok());
  ASSERT_EQ(unlink((root_ + "/names/app").c_str()), 0);
  ASSERT_EQ(symlink(new_id.c_str(), (root_ + "/names/app").c_str()), 0);
  ASSERT_TRUE(store_->Remove(old_id).ok());
  EXPECT_EQ(*store_->Resolve("app"), new_id);
}

TEST_F(StateStoreTest, LockIsExclusiveAndNeedsAContainer) {
  std::string id = Create("locked");
  absl::StatusOr<FileLock> lock = store_->Lock(id);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(FileLock::TryAcquire(store_->ContainerDir(id)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  std::string ghost = NewContainerId();
  EXPECT_EQ(store_->Lock(ghost).status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(PathExists(store_->ContainerDir(ghost)));  // no lock file left behind
}

TEST_F(StateStoreTest, SaveStateOfUnknownContainerFails) {
  ContainerState s = NewState("nobody");
  EXPECT_EQ(store_->SaveState(s).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(PathExists(store_->ContainerDir(s.id)));
}

}  // namespace
}  // namespace mydocker
