#include "template/template.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "template/functions.h"

namespace mydocker::cli::tmpl {
namespace {

using ::testing::HasSubstr;

// A container as `docker inspect` shows it (the fields the documented examples use).
const char kInspect[] = R"({
  "Id": "0123456789abcdef",
  "Name": "/Web_Server",
  "Path": "nginx",
  "Args": ["-g", "daemon off;"],
  "LogPath": "/var/lib/mydocker/containers/0123/json.log",
  "Image": "sha256:abc",
  "State": {"Status": "running", "Running": true, "ExitCode": 0, "Pid": 42, "Health": null},
  "Config": {"Image": "nginx:latest", "Labels": {"com.example.vendor": "ACME", "tier": "front"},
             "Env": ["PATH=/bin", "A=b"]},
  "Mounts": [{"Type": "volume", "Name": "data", "Destination": "/data", "RW": true}],
  "NetworkSettings": {
    "Networks": {"bridge": {"IPAddress": "172.17.0.2", "Gateway": "172.17.0.1"},
                 "back": {"IPAddress": "10.0.0.5", "Gateway": "10.0.0.1"}},
    "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "443/tcp": null}
  }
})";

Value Inspect() {
  auto v = ValueFromJson(kInspect, DockerMapKeys(), "container");
  EXPECT_TRUE(v.ok()) << v.status();
  return *v;
}

std::string Render(absl::string_view text, const Value& data, ExecOptions options = {}) {
  auto t = Template::Parse(text);
  if (!t.ok()) return "PARSE: " + std::string(t.status().message());
  std::string out;
  absl::Status s = t->Execute(data, &out, options);
  if (!s.ok()) return "EXEC: " + std::string(s.message());
  return out;
}

std::string Render(absl::string_view text) { return Render(text, Inspect()); }

// The examples of docs.docker.com "Format command and log output" and `docker inspect`.
TEST(TemplateTest, DockerFormattingExamples) {
  EXPECT_EQ(Render(R"({{join .Args " , "}})"), "-g , daemon off;");
  EXPECT_EQ(Render("{{json .Mounts}}"),
            R"([{"Type":"volume","Name":"data","Destination":"/data","RW":true}])");
  EXPECT_EQ(Render("{{lower .Name}}"), "/web_server");
  EXPECT_EQ(Render("{{upper .Name}}"), "/WEB_SERVER");
  EXPECT_EQ(Render("{{title .Path}}"), "Nginx");
  EXPECT_EQ(Render(R"({{split .Config.Image ":"}})"), "[nginx latest]");
  EXPECT_EQ(Render("{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}"),
            "10.0.0.5\n172.17.0.2\n");
  EXPECT_EQ(Render("{{.LogPath}}"), "/var/lib/mydocker/containers/0123/json.log");
  EXPECT_EQ(Render("{{.Config.Image}}"), "nginx:latest");
  EXPECT_EQ(Render(R"({{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}})"), "8080");
  EXPECT_EQ(Render("{{range $p, $conf := .NetworkSettings.Ports}} {{$p}} -> "
                   "{{if $conf}}{{(index $conf 0).HostPort}}{{end}} {{end}}"),
            " 443/tcp ->   80/tcp -> 8080 ");
  EXPECT_EQ(Render("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"),
            "10.0.0.5172.17.0.2");
  EXPECT_EQ(Render("{{json .Config.Labels}}"), R"({"com.example.vendor":"ACME","tier":"front"})");
  EXPECT_EQ(Render(R"({{index .Config.Labels "tier"}})"), "front");
  EXPECT_EQ(Render(R"({{index .Config.Labels "missing"}})"), "");
  EXPECT_EQ(Render("{{.State.Pid}}"), "42");
  EXPECT_EQ(Render("{{.State.Running}}"), "true");
}

TEST(TemplateTest, PrintsValuesAsGoDoes) {
  EXPECT_EQ(Render("{{.Args}}"), "[-g daemon off;]");
  EXPECT_EQ(Render("{{.Config.Labels}}"), "map[com.example.vendor:ACME tier:front]");
  EXPECT_EQ(Render("{{.State}}"), "{running true 0 42 <nil>}");
  EXPECT_EQ(Render("{{.Config.Labels.missing}}"), "<no value>");
  EXPECT_EQ(Render("{{.State.Health}}"), "<nil>");
  EXPECT_EQ(Render("{{1.5}} {{1e6}} {{0.000012}} {{123456.0}} {{-3}} {{0x1F}} {{'a'}}"),
            "1.5 1e+06 1.2e-05 123456 -3 31 97");
  EXPECT_EQ(Render(R"({{"a\tb"}} {{`raw\n`}} {{true}} {{print nil}})"), "a\tb raw\\n true <nil>");
}

TEST(TemplateTest, ControlStructures) {
  EXPECT_EQ(Render(R"({{if eq .State.Status "running"}}up{{else}}down{{end}})"), "up");
  EXPECT_EQ(
      Render(
          R"({{if eq .State.ExitCode 1}}one{{else if eq .State.ExitCode 0}}zero{{else}}other{{end}})"),
      "zero");
  EXPECT_EQ(Render("{{with .State}}{{.Status}}/{{$.Id}}{{end}}"), "running/0123456789abcdef");
  EXPECT_EQ(Render("{{with .State.Health}}{{.Status}}{{else}}no health{{end}}"), "no health");
  EXPECT_EQ(Render("{{with .State.Health}}x{{else with .State}}{{.Pid}}{{end}}"), "42");
  EXPECT_EQ(Render("{{range $i, $e := .Args}}{{$i}}={{$e}};{{end}}"), "0=-g;1=daemon off;;");
  EXPECT_EQ(Render("{{range .Mounts}}{{.Name}}{{else}}none{{end}}"), "data");
  EXPECT_EQ(Render("{{range .Config.Env}}{{if eq . \"A=b\"}}{{break}}{{end}}{{.}} {{end}}"),
            "PATH=/bin ");
  EXPECT_EQ(Render("{{range 3}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}"), "02");
  EXPECT_EQ(Render("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}} {{end}}"),
            "com.example.vendor:ACME tier:front ");
  EXPECT_EQ(Render("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}"), "2");
  EXPECT_EQ(Render("{{$n := len .Args}}{{$n}} {{len .Config.Labels}} {{len .Name}}"), "2 2 11");
  EXPECT_EQ(Render("{{range .NotThere}}x{{end}}"),
            "EXEC: template: :1:8: executing \"\" at "
            "<.NotThere>: can't evaluate field NotThere in "
            "type container");
}

TEST(TemplateTest, TrimMarkersAndComments) {
  EXPECT_EQ(Render("a  {{- .State.Pid -}}  \n b"), "a42b");
  EXPECT_EQ(Render("{{- /* a comment */ -}}\n  x{{/* another */}}"), "x");
  EXPECT_EQ(Render("{{-3}}"), "-3");
  EXPECT_EQ(Render("{{range .Args -}}\n  [{{.}}]\n{{- end}}"), "[-g][daemon off;]");
}

TEST(TemplateTest, LogicAndComparison) {
  EXPECT_EQ(Render("{{and 1 0 .Missing}} {{or 0 \"\" \"x\"}} {{not .State.Running}}"), "0 x false");
  EXPECT_EQ(Render("{{and .State.Running .State.Pid}}"), "42");
  EXPECT_EQ(
      Render("{{eq .State.Pid 1 2 42}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 2}}"),
      "true true true true false true");
  EXPECT_EQ(Render(R"({{lt "a" "b"}} {{eq 1 1.0}} {{eq .State.Health nil}})"), "true true true");
  EXPECT_THAT(Render(R"({{eq 1 "1"}})"),
              HasSubstr("error calling eq: incompatible types for comparison"));
  EXPECT_THAT(Render("{{lt true false}}"), HasSubstr("invalid type for comparison"));
  EXPECT_THAT(Render("{{eq .Args .Args}}"), HasSubstr("non-comparable type"));
}

TEST(TemplateTest, Pipelines) {
  EXPECT_EQ(Render("{{.Name | lower | printf \"%q\"}}"), "\"/web_server\"");
  EXPECT_EQ(Render("{{.Args | len}}"), "2");
  EXPECT_EQ(Render("{{\"x\" | printf \"%s-%s\" \"a\"}}"), "a-x");
  EXPECT_EQ(Render("{{(.State).Status}}"), "running");
  EXPECT_EQ(Render("{{index .Args 1 | upper}}"), "DAEMON OFF;");
  EXPECT_EQ(Render("{{slice .Args 1}} {{slice .Name 1 4}}"), "[daemon off;] Web");
  EXPECT_EQ(Render("{{print 1 2 \"a\" \"b\" 3}}"), "1 2ab3");
  EXPECT_EQ(Render("{{pad .Path 2 1}}|{{pad \"\" 2 1}}|{{truncate .Path 3}}|{{truncate .Path 30}}"),
            "  nginx ||ngi|nginx");
  EXPECT_EQ(Render(R"({{join (split "a:b:c" ":") "-"}})"), "a-b-c");
}

TEST(TemplateTest, Printf) {
  EXPECT_EQ(
      Sprintf("%s|%5s|%-5s|%.2s|%q", {Value::String("ab"), Value::String("ab"), Value::String("ab"),
                                      Value::String("abc"), Value::String("a\"\n")}),
      "ab|   ab|ab   |ab|\"a\\\"\\n\"");
  EXPECT_EQ(Sprintf("%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%b|%c|%U",
                    {Value::Int(7), Value::Int(-7), Value::Int(7), Value::Int(-7), Value::Int(7),
                     Value::Int(255), Value::Int(255), Value::Int(8), Value::Int(5), Value::Int(65),
                     Value::Int(0x1F600)}),
            "7|   -7|7    |-0007|+7|ff|FF|10|101|A|U+1F600");
  EXPECT_EQ(Sprintf("%v %v %v %v", {Value::Bool(true), Value::Float(2.5), Value::Nil(),
                                    Value::List({Value::Int(1), Value::String("a")})}),
            "true 2.5 <nil> [1 a]");
  EXPECT_EQ(Sprintf("%.2f %e %g %6.1f", {Value::Float(3.14159), Value::Float(1234.5),
                                         Value::Float(0.5), Value::Float(2.25)}),
            "3.14 1.234500e+03 0.5    2.2");
  EXPECT_EQ(Sprintf("%d %s", {Value::String("a"), Value::Int(1)}), "%!d(string=a) %!s(int=1)");
  EXPECT_EQ(Sprintf("%s %s", {Value::String("a")}), "a %!s(MISSING)");
  EXPECT_EQ(Sprintf("%s", {Value::String("a"), Value::Int(1)}), "a%!(EXTRA int=1)");
  EXPECT_EQ(Sprintf("100%% %", {}), "100% %!(NOVERB)");
  EXPECT_EQ(Sprintf("%*d|%-*d", {Value::Int(4), Value::Int(1), Value::Int(3), Value::Int(2)}),
            "   1|2  ");
  EXPECT_EQ(Sprintf("%9999999d", {Value::Int(1)}), "%!(BADWIDTH)1");
  EXPECT_EQ(Sprintf("%T %T", {Value::String(""), Value::Int(1)}), "string int");
  EXPECT_EQ(Sprintf("%5s", {Value::List({Value::String("a"), Value::String("b")})}),
            "[    a     b]");
}

TEST(TemplateTest, JsonIsGoEncodingJsonWithoutHtmlEscapes) {
  Value v =
      Value::Struct("row", {{"B", Value::String("<a&b>\x01\"\\\n\xff")},
                            {"A", Value::Float(1e21)},
                            {"C", Value::Float(0.0000001)},
                            {"D", Value::List({})},
                            {"E", Value::Nil()},
                            {"F", Value::Map({{"z", Value::Int(1)}, {"a", Value::Bool(false)}})}});
  EXPECT_EQ(GoJson(v), R"({"B":"<a&b>\u0001\"\\\n\ufffd","A":1e+21,"C":1e-7,"D":[],"E":null,)"
                       R"("F":{"a":false,"z":1}})");
}

TEST(TemplateTest, MethodsTakeArguments) {
  Methods methods;
  methods["Label"] = [](const std::vector<Value>& args) -> absl::StatusOr<Value> {
    if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
      return absl::InvalidArgumentError("wrong number of args for Label: want 1");
    }
    return Value::String(args[0].string_value() == "tier" ? "front" : "");
  };
  Value row = Value::Struct("container", {{"Names", Value::String("web")}}, methods);
  EXPECT_EQ(Render(R"({{.Names}} {{.Label "tier"}}|{{.Label "other"}}|{{"tier" | .Label}})", row),
            "web front||front");
  EXPECT_THAT(Render("{{.Label}}", row), HasSubstr("error calling Label: wrong number of args"));
  EXPECT_THAT(Render(R"({{.Names "x"}})", row),
              HasSubstr("Names has arguments but cannot be invoked as function"));
}

TEST(TemplateTest, HeaderFunctionsPassColumnNamesThrough) {
  Value header = Value::Map({{"Names", Value::String("NAMES")}, {"Image", Value::String("IMAGE")}});
  ExecOptions options;
  options.header = true;
  EXPECT_EQ(
      Render(
          R"({{lower .Names}}\t{{json .Image}}\t{{truncate .Names 2}}\t{{printf "%-7s|" .Names}})",
          header, options),
      "NAMES\\tIMAGE\\tNAMES\\tNAMES  |");
}

TEST(TemplateTest, ParseErrorsAreOneLineNamingTheProblem) {
  EXPECT_EQ(Render("{{.Foo"), "PARSE: template: :1: unclosed action");
  EXPECT_EQ(Render("{{.Foo}"), "PARSE: template: :1: bad character U+007D '}'");
  EXPECT_EQ(Render("{{foo .X}}"), "PARSE: template: :1: function \"foo\" not defined");
  EXPECT_EQ(Render("{{end}}"), "PARSE: template: :1: unexpected {{end}}");
  EXPECT_EQ(Render("{{if .X}}"), "PARSE: template: :1: unexpected EOF");
  EXPECT_EQ(Render("{{}}"), "PARSE: template: :1: missing value for command");
  EXPECT_EQ(Render("{{if}}{{end}}"), "PARSE: template: :1: missing value for if");
  EXPECT_EQ(Render("{{$x}}"), "PARSE: template: :1: undefined variable \"$x\"");
  EXPECT_EQ(Render("{{break}}"), "PARSE: template: :1: {{break}} outside {{range}}");
  EXPECT_EQ(Render("{{.A | \"x\"}}"),
            "PARSE: template: :1: non executable command in pipeline stage 2");
  EXPECT_EQ(Render("{{\"abc}}"), "PARSE: template: :1: unterminated quoted string");
  EXPECT_EQ(Render("{{/* x }}"), "PARSE: template: :1: unclosed comment");
  EXPECT_EQ(Render("{{define \"x\"}}{{end}}"), "PARSE: template: :1: {{define}} is not supported");
  EXPECT_EQ(Render("x\n{{.A)}}"), "PARSE: template: :2: unexpected right paren");
  EXPECT_EQ(Render("{{.A #}}"),
            "PARSE: template: :1: unrecognized character in action: U+0023 '#'");
  EXPECT_EQ(Render("{{3x}}"), "PARSE: template: :1: illegal number syntax: \"3x\"");
  EXPECT_EQ(Render("{{1.X}}"), "PARSE: template: :1: illegal number syntax: \"1.X\"");
  EXPECT_EQ(Render("{{\"a\".X}}"), "PARSE: template: :1: unexpected . after term \"\"a\"\"");
}

TEST(TemplateTest, ExecErrorsSayWhereAndWhat) {
  EXPECT_EQ(Render("x\n {{.State.Stauts}}"),
            "EXEC: template: :2:3: executing \"\" at <.State.Stauts>: can't evaluate field "
            "Stauts in type State");
  EXPECT_EQ(Render("{{.State.Health.Status}}"),
            "EXEC: template: :1:2: executing \"\" at <.State.Health.Status>: nil pointer "
            "evaluating interface {}.Status");
  EXPECT_EQ(Render("{{.Name.X}}"),
            "EXEC: template: :1:2: executing \"\" at <.Name.X>: can't evaluate field X in type "
            "string");
  EXPECT_THAT(Render("{{index .Args 5}}"), HasSubstr("error calling index: index out of range: 5"));
  EXPECT_THAT(Render("{{join .Name \",\"}}"), HasSubstr("expected slice, got string"));
  EXPECT_THAT(Render("{{upper .State.Pid}}"),
              HasSubstr("wrong type for value; expected string; got int"));
  EXPECT_THAT(Render("{{.Name 1}}"), HasSubstr("Name has arguments but cannot be invoked"));
  EXPECT_THAT(Render("{{. 1}}"), HasSubstr("can't give argument to non-function ."));
  EXPECT_THAT(Render("{{.Config.Labels.tier 1}}"),
              HasSubstr("tier is not a method but has arguments"));
  EXPECT_THAT(Render("{{range .Name}}{{end}}"), HasSubstr("range can't iterate over /Web_Server"));
}

TEST(TemplateTest, HostileTemplatesAreBounded) {
  // Output past the limit is an error, not memory.
  ExecOptions small;
  small.max_output = 1000;
  EXPECT_THAT(Render("{{range 100000}}xxxxxxxxxx{{end}}", Inspect(), small),
              HasSubstr("output is larger than 1000 bytes"));
  EXPECT_THAT(Render("{{range 1000000000}}{{end}}"), HasSubstr("too many steps"));
  EXPECT_THAT(Render("{{pad .Name 100000000 0}}"), HasSubstr("pad: counts must be from 0"));
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "{{if 1}}";
  EXPECT_THAT(Render(deep), HasSubstr("nests too deeply"));
  std::string parens = "{{" + std::string(200, '(') + "1" + std::string(200, ')') + "}}";
  EXPECT_THAT(Render(parens), HasSubstr("nests too deeply"));
  // Control characters from the data do not reach the terminal; the template's own do.
  Value evil = Value::Struct("row", {{"Name", Value::String("a\x1b]0;x\x07\tb\nc")}});
  EXPECT_EQ(Render("{{.Name}}\x1b", evil), "a?]0;x?\tb\nc\x1b");
  ExecOptions raw;
  raw.printable = false;
  EXPECT_EQ(Render("{{.Name}}", evil, raw), "a\x1b]0;x\x07\tb\nc");
}

TEST(TemplateTest, ValueFromJsonMarksDockerMaps) {
  auto v = ValueFromJson(R"({"HostConfig": {"LogConfig": {"Type": "json-file", "Config": {}}},
                             "Config": {"Labels": null}})",
                         DockerMapKeys(), "container");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Render("{{.HostConfig.LogConfig.Config.max}}", *v), "<no value>");
  EXPECT_THAT(Render("{{.HostConfig.LogConfig.Nope}}", *v), HasSubstr("can't evaluate field Nope"));
  EXPECT_FALSE(ValueFromJson("{", DockerMapKeys(), "x").ok());
  std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_FALSE(ValueFromJson(deep, DockerMapKeys(), "x").ok());
}

}  // namespace
}  // namespace mydocker::cli::tmpl
