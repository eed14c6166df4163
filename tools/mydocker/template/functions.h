// The functions a template may call: Go's builtins and Docker's (template.h lists them).
#ifndef MYDOCKER_TOOLS_TEMPLATE_FUNCTIONS_H_
#define MYDOCKER_TOOLS_TEMPLATE_FUNCTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "template/value.h"

namespace mydocker::cli::tmpl {

bool IsFunction(absl::string_view name);

// Calls `name` with evaluated arguments; `and` and `or`, which evaluate theirs lazily, are the
// executor's. `header` selects Docker's header functions (template.h). Errors are Go's messages
// without the position: "wrong number of args for join: want 2 got 1".
absl::StatusOr<Value> CallFunction(absl::string_view name, const std::vector<Value>& args,
                                   bool header);

// Go's fmt.Sprintf for a template's values: flags, width, precision and the verbs v s q d t
// b o O x X c U e E f F g G T and %%, with Go's markers for a mismatch ("%!d(string=a)",
// "%!s(MISSING)", "%!(EXTRA int=1)"). Widths and precisions past 1e6 are refused as Go does.
std::string Sprintf(absl::string_view format, const std::vector<Value>& args);

// Go's strconv.Quote: "a\tb" for a<TAB>b, invalid UTF-8 as \x escapes.
std::string GoQuote(absl::string_view s);

}  // namespace mydocker::cli::tmpl

#endif  // MYDOCKER_TOOLS_TEMPLATE_FUNCTIONS_H_
