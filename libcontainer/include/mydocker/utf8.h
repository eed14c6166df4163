// UTF-8 as text from a container or an image is checked and shown: the log writer keeps it
// valid (Docker's json-file replaces what is not UTF-8 with U+FFFD) and the CLI replaces control
// characters before they reach a terminal (as `ps` does).
#ifndef MYDOCKER_UTF8_H_
#define MYDOCKER_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mydocker {

// The length (1 to 4) of the well-formed UTF-8 sequence at the start of `s`, its code point in
// `*code_point`; 0 if it is not one (a stray or truncated byte, an overlong form, a surrogate).
size_t DecodeUtf8(absl::string_view s, uint32_t* code_point);

// Appends `code_point` as UTF-8; one that is not a Unicode scalar value (a surrogate, past
// U+10FFFF) as U+FFFD.
void AppendUtf8(uint32_t code_point, std::string* out);

// `s` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string ValidUtf8(absl::string_view s);

// `s` for a terminal: a control character (C0, DEL, C1) or a byte that is not UTF-8 becomes '?'.
std::string Printable(absl::string_view s);
// Printable in place: a string of printable ASCII only (most text) is left as it is, uncopied.
void MakePrintable(std::string* s);

}  // namespace mydocker

#endif  // MYDOCKER_UTF8_H_
