// The listing cache: what `ps` (and every List) needs of each container, kept in one file,
// <root>/cache/containers.list, so that listing N containers reads one file and stats N
// directories instead of opening, reading and parsing two JSON records per container.
//
// It is a cache, never a source of truth: an entry is used only while the container's directory
// is unchanged since the entry was read (same inode, same modification and change times). Every
// record in that directory is replaced by rename (state.json, network.json) or removed, and
// either changes the directory's times; an entry read within the timestamp granularity of its
// directory's last change is not kept (the same rule as git's racily clean index entries), so a
// change made in the same clock tick is never hidden. The containers directory itself changes
// when a container is made, removed or renamed into the trash, and every writer of a record
// touches it before and after its change (MarkRecordsChanging): while its times are those the
// cache was complete for, by the same rule, an unchanged host is listed from the cache alone,
// without reading that directory or looking at any container's. A missing, unreadable, truncated
// or foreign cache file is ignored and rewritten.
#ifndef MYDOCKER_LIST_CACHE_H_
#define MYDOCKER_LIST_CACHE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/container_state.h"
#include "mydocker/state_store.h"

namespace mydocker {

// Says that a record in `container_dir` (<root>/containers/<id>) is about to change or has just
// changed, by touching the containers directory: a writer calls it before and after replacing
// state.json or network.json, so that a listing whose cache was complete for the directory's
// stamp trusts every entry without looking at each container's directory. The call before covers
// a writer that dies between its change and the call after: a listing that marks the cache
// complete for the first touch comes at least the racy window after it.
void MarkRecordsChanging(const std::string& container_dir);

// The records of every container directory (named by its full id) in `containers_dir`, in
// directory order, through the cache file `cache_path` (its directory is made if needed). `load`
// reads a container's records afresh; those it fails to read are left out and their ids appended to
// `bad` if given.
absl::StatusOr<std::vector<ListedRecord>> ListRecordsCached(
    const std::string& containers_dir, const std::string& cache_path,
    const std::function<absl::StatusOr<ListedRecord>(const std::string& id)>& load,
    std::vector<std::string>* bad);

// The compact binary form of a state in the cache (exposed for tests).
std::string EncodeStateForCache(const ContainerState& state);
// Decodes one state from the front of `in`, consuming it. InvalidArgument if truncated or bad.
absl::StatusOr<ContainerState> DecodeStateFromCache(absl::string_view* in);
// The same, into `out` (a default ContainerState).
absl::Status DecodeStateInto(absl::string_view* in, ContainerState* out);
// The same for a container's network attachments.
std::string EncodeNetworksForCache(const std::vector<NetworkAttachment>& networks);
absl::StatusOr<std::vector<NetworkAttachment>> DecodeNetworksFromCache(absl::string_view* in);

}  // namespace mydocker

#endif  // MYDOCKER_LIST_CACHE_H_
