// What every inspect command prints (inspect, image inspect, volume inspect, network inspect),
// as Docker's inspect package does: without --format the documents as an indented JSON array,
// with `--format json` a compact one, with a template each document through it, one a line.
#ifndef MYDOCKER_TOOLS_INSPECT_PRINT_H_
#define MYDOCKER_TOOLS_INSPECT_PRINT_H_

#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "context.h"
#include "mydocker/views.h"

namespace mydocker::cli {

// One document found for a reference: its JSON in the style asked for, and its kind
// ("container", "image", "volume", "network"), which a template's messages name.
struct InspectDocument {
  std::string json;
  std::string kind;
};
using InspectLookup =
    std::function<absl::StatusOr<InspectDocument>(const std::string& ref, views::JsonStyle)>;

// Looks up each of `refs` and prints what `format` asks. A template that does not parse is
// refused before anything is looked up, with Docker's exit status 64; a reference not found or
// a document the template fails on makes the exit status 1, and the others are still printed.
void PrintInspect(Context& ctx, const std::vector<std::string>& refs, const std::string& format,
                  const InspectLookup& lookup);

// Finds a reference as a `type` ("container", "image", "network", "volume"), or, when `type` is
// empty, as the first of these that has it (Docker's order); NotFound "no such object: REF".
InspectLookup InspectLookupFor(Context& ctx, const std::string& type);

// Adds -f,--format to an inspect command.
void AddInspectFormat(CLI::App& cmd, std::string& format);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_INSPECT_PRINT_H_
