// What the view writers share: the compact writer, and re-indenting a written view.
#ifndef MYDOCKER_VIEWS_VIEW_JSON_H_
#define MYDOCKER_VIEWS_VIEW_JSON_H_

#include <string>

#include "json_util.h"
#include "mydocker/views.h"

namespace mydocker::views {

// The writer's text in the style asked for (views are written compact, then indented if asked).
std::string Styled(const rapidjson::StringBuffer& buf, JsonStyle style);

// "key": int, or null when unknown.
void KeyOptionalInt(json::Writer& w, absl::string_view key, const std::optional<int>& value);

}  // namespace mydocker::views

#endif  // MYDOCKER_VIEWS_VIEW_JSON_H_
