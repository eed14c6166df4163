// Writing named JSON fields with rapidjson's writers, shared by the commands that print JSON.
#ifndef MYDOCKER_TOOLS_JSON_FIELDS_H_
#define MYDOCKER_TOOLS_JSON_FIELDS_H_

#include <string>
#include <vector>

#include "rapidjson/rapidjson.h"

namespace mydocker::cli {

// "key": "value"
template <typename Writer>
void Str(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

// "key": ["value", ...]
template <typename Writer>
void Strings(Writer& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const std::string& v : values)
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  w.EndArray();
}

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_JSON_FIELDS_H_
