// A `--format` template (tools/mydocker/template/) over a container's inspect document and a
// `ps` row with a method, as a row and as a table header: parse and run must end with a result
// or an error, within the step and output bounds. The input is the template as typed (a
// leading "table " and typed \t as `--format` takes them).
#include "template/template.h"

#include <string>

#include "fuzz.h"
#include "template/formatter.h"

namespace {

using mydocker::cli::tmpl::Value;

const Value& InspectDocument() {
  static const Value* v = [] {
    auto parsed = mydocker::cli::tmpl::ValueFromJson(
        R"({"Id":"0123","Name":"/web","Args":["-g","x"],"State":{"Status":"running","Pid":7,)"
        R"("Health":null},"Config":{"Labels":{"a":"1","b.c":"2"},"Env":["A=1"]},)"
        R"("NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.2"}},)"
        R"("Ports":{"80/tcp":[{"HostPort":"8080"}],"53/udp":null}},"Size":1.5e3})",
        mydocker::cli::tmpl::DockerMapKeys(), "container");
    return new Value(parsed.ok() ? *parsed : Value());
  }();
  return *v;
}

const Value& Row() {
  static const Value* v = [] {
    mydocker::cli::tmpl::Methods methods;
    methods["Label"] = [](const std::vector<Value>& args) -> absl::StatusOr<Value> {
      return Value::String(args.empty() ? "" : "v");
    };
    return new Value(Value::Struct("container",
                                   {{"ID", Value::String("0123")},
                                    {"Names", Value::String("web")},
                                    {"Command", Value::String("\"sh\"")}},
                                   methods));
  }();
  return *v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text = mydocker::fuzz::Text(data, size);
  mydocker::cli::tmpl::ExecOptions options;
  options.max_output = 1 << 16;
  auto t = mydocker::cli::tmpl::Template::Parse(text);
  if (t.ok()) {
    std::string out;
    t->Execute(InspectDocument(), &out, options).IgnoreError();
    out.clear();
    t->Execute(Row(), &out, options).IgnoreError();
  }
  auto f = mydocker::cli::tmpl::ListFormatter::Create(text);
  if (f.ok() && !f->is_default()) {
    f->Add(Row()).IgnoreError();
    f->Finish(mydocker::cli::tmpl::HeaderMap({{"ID", "CONTAINER ID"}, {"Names", "NAMES"}}));
  }
  return 0;
}
