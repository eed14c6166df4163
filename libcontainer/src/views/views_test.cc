#include "mydocker/views.h"

#include "gtest/gtest.h"
#include "rapidjson/document.h"

namespace mydocker::views {
namespace {

rapidjson::Document ParseView(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

ContainerState StoppedState() {
  ContainerState s;
  s.id = std::string(64, 'a');
  s.name = "web";
  s.image = "busybox:latest";
  s.image_id = "sha256:" + std::string(64, 'b');
  s.status = ContainerStatus::kStopped;
  s.exit_code = 3;
  s.created = absl::FromUnixSeconds(1000);
  s.started = absl::FromUnixSeconds(1010);
  s.finished = absl::FromUnixSeconds(1020);
  s.command = {"sh", "-c", "exit 3"};
  return s;
}

ContainerConfig SomeConfig() {
  ContainerConfig c;
  c.process.args = {"sh", "-c", "exit 3"};
  c.process.env = {"PATH=/bin"};
  c.hostname = "abc";
  c.root.lower_dirs = {"/l1", "/l2"};
  c.linux_spec.resources.cpu.quota = 50000;
  c.linux_spec.resources.cpu.period = 100000;
  return c;
}

TEST(ViewsTest, HumanDurationLikeDocker) {
  EXPECT_EQ(HumanDuration(absl::Milliseconds(300)), "Less than a second");
  EXPECT_EQ(HumanDuration(absl::Seconds(1)), "1 second");
  EXPECT_EQ(HumanDuration(absl::Seconds(45)), "45 seconds");
  EXPECT_EQ(HumanDuration(absl::Seconds(90)), "About a minute");
  EXPECT_EQ(HumanDuration(absl::Minutes(5)), "5 minutes");
  EXPECT_EQ(HumanDuration(absl::Minutes(61)), "About an hour");
  EXPECT_EQ(HumanDuration(absl::Hours(5)), "5 hours");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 3)), "3 days");
}

TEST(ViewsTest, HumanSizeIsDecimal) {
  EXPECT_EQ(HumanSize(0), "0B");
  EXPECT_EQ(HumanSize(999), "999B");
  EXPECT_EQ(HumanSize(1500), "1.5kB");
  EXPECT_EQ(HumanSize(1982000), "1.98MB");
}

TEST(ViewsTest, StatusTextLikeDockerPs) {
  ContainerState s = StoppedState();
  absl::Time now = s.finished + absl::Seconds(5);
  EXPECT_EQ(StatusText(s, now), "Exited (3) 5 seconds ago");
  s.exit_code.reset();
  EXPECT_EQ(StatusText(s, now), "Exited (unknown) 5 seconds ago");
  s.status = ContainerStatus::kRestarting;
  s.exit_code = 1;
  EXPECT_EQ(StatusText(s, now), "Restarting (1) 5 seconds ago");
  EXPECT_EQ(StatusName(ContainerStatus::kRestarting), "restarting");
  s.status = ContainerStatus::kPaused;
  EXPECT_EQ(StatusText(s, s.started + absl::Minutes(5)), "Up 5 minutes (Paused)");
  s.status = ContainerStatus::kCreated;
  EXPECT_EQ(StatusText(s, now), "Created");
  EXPECT_EQ(StatusName(ContainerStatus::kStopped), "exited");
  EXPECT_EQ(StatusName(ContainerStatus::kRunning), "running");
}

TEST(ViewsTest, ContainerInspectHasDockersFields) {
  rapidjson::Document doc = ParseView(ContainerInspect(StoppedState(), SomeConfig()));
  EXPECT_EQ(std::string(doc["Id"].GetString()), std::string(64, 'a'));
  EXPECT_STREQ(doc["Name"].GetString(), "/web");
  EXPECT_STREQ(doc["Path"].GetString(), "sh");
  ASSERT_EQ(doc["Args"].Size(), 2u);
  EXPECT_STREQ(doc["Args"][1].GetString(), "exit 3");
  const auto& state = doc["State"];
  EXPECT_STREQ(state["Status"].GetString(), "exited");
  EXPECT_FALSE(state["Running"].GetBool());
  EXPECT_EQ(state["ExitCode"].GetInt(), 3);
  EXPECT_EQ(state["Pid"].GetInt(), 0);
  EXPECT_STREQ(state["FinishedAt"].GetString(), "1970-01-01T00:17:00Z");
  EXPECT_EQ(doc["HostConfig"]["NanoCpus"].GetInt64(), 500000000);
  EXPECT_STREQ(doc["GraphDriver"]["Data"]["LowerDir"].GetString(), "/l1:/l2");
  EXPECT_STREQ(doc["Config"]["Hostname"].GetString(), "abc");
  EXPECT_STREQ(doc["Config"]["Image"].GetString(), "busybox:latest");
  EXPECT_TRUE(doc["Spec"].IsObject());
  EXPECT_STREQ(doc["Spec"]["hostname"].GetString(), "abc");
}

TEST(ViewsTest, InspectShowsTheRestartPolicyAndCount) {
  ContainerState s = StoppedState();
  s.status = ContainerStatus::kRestarting;
  s.restart_count = 4;
  ContainerConfig c = SomeConfig();
  c.restart_policy = {"on-failure", 5};
  rapidjson::Document doc = ParseView(ContainerInspect(s, c));
  EXPECT_EQ(doc["RestartCount"].GetInt(), 4);
  EXPECT_STREQ(doc["State"]["Status"].GetString(), "restarting");
  EXPECT_TRUE(doc["State"]["Restarting"].GetBool());
  EXPECT_TRUE(doc["State"]["Running"].GetBool());  // as Docker has it
  EXPECT_STREQ(doc["HostConfig"]["RestartPolicy"]["Name"].GetString(), "on-failure");
  EXPECT_EQ(doc["HostConfig"]["RestartPolicy"]["MaximumRetryCount"].GetInt(), 5);
  doc = ParseView(ContainerInspect(StoppedState(), SomeConfig()));
  EXPECT_STREQ(doc["HostConfig"]["RestartPolicy"]["Name"].GetString(), "no");
}

TEST(ViewsTest, InspectShowsStopSignalAndTimeoutOnlyWhenSet) {
  rapidjson::Document doc = ParseView(ContainerInspect(StoppedState(), SomeConfig()));
  EXPECT_FALSE(doc["Config"].HasMember("StopSignal"));
  EXPECT_FALSE(doc["Config"].HasMember("StopTimeout"));
  ContainerConfig c = SomeConfig();
  c.stop_signal = "SIGQUIT";
  c.stop_timeout = 0;
  doc = ParseView(ContainerInspect(StoppedState(), c));
  EXPECT_STREQ(doc["Config"]["StopSignal"].GetString(), "SIGQUIT");
  EXPECT_EQ(doc["Config"]["StopTimeout"].GetInt(), 0);
}

TEST(ViewsTest, UnknownExitCodeIsNull) {
  ContainerState s = StoppedState();
  s.exit_code.reset();
  EXPECT_TRUE(ParseView(ContainerInspect(s, SomeConfig()))["State"]["ExitCode"].IsNull());
  EXPECT_TRUE(ParseView(ContainerSummary(s, absl::Now()))["ExitCode"].IsNull());
}

TEST(ViewsTest, ContainerSummaryIsOneLine) {
  ContainerState s = StoppedState();
  std::string line = ContainerSummary(s, s.finished + absl::Seconds(2));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  rapidjson::Document doc = ParseView(line);
  EXPECT_STREQ(doc["Command"].GetString(), "sh -c exit 3");
  EXPECT_STREQ(doc["State"].GetString(), "exited");
  EXPECT_STREQ(doc["Status"].GetString(), "Exited (3) 2 seconds ago");
}

TEST(ViewsTest, IndentedArrayIsDockerInspectsLayout) {
  Volume v{"data", "/root/volumes/data/_data", absl::FromUnixSeconds(0), false};
  std::string one = VolumeInspect(v, JsonStyle::kIndented);
  EXPECT_EQ(one.rfind("{\n    \"Name\": \"data\",\n", 0), 0u) << one;
  std::string all = Array({one, one}, JsonStyle::kIndented);
  EXPECT_EQ(all.rfind("[\n    {\n        \"Name\": \"data\",\n", 0), 0u) << all;
  EXPECT_NE(all.find("    },\n    {\n"), std::string::npos) << all;
  EXPECT_EQ(all.substr(all.size() - 7), "    }\n]");
  EXPECT_EQ(ParseView(all).Size(), 2u);
  EXPECT_EQ(Array({}, JsonStyle::kIndented), "[]");
  EXPECT_EQ(Array({"1", "2"}), "[1,2]");
}

TEST(ViewsTest, ImageInspectCopiesTheStoredConfig) {
  Image image;
  image.id = "sha256:" + std::string(64, 'c');
  image.tags = {"app:v1"};
  image.layers = {"sha256:1", "sha256:2"};
  image.config.cmd = {"ignored-when-a-document-is-given"};
  rapidjson::Document doc = ParseView(ImageInspect(
      image,
      R"({"architecture":"amd64","os":"linux","config":{"Cmd":["sh"],"Labels":{"a":"b"}}})"));
  EXPECT_STREQ(doc["Architecture"].GetString(), "amd64");
  EXPECT_STREQ(doc["Config"]["Cmd"][0].GetString(), "sh");
  EXPECT_STREQ(doc["Config"]["Labels"]["a"].GetString(), "b");
  EXPECT_STREQ(doc["RootFS"]["Type"].GetString(), "layers");
  EXPECT_EQ(doc["RootFS"]["Layers"].Size(), 2u);
  EXPECT_FALSE(doc.HasMember("Author"));
}

TEST(ViewsTest, ImageInspectFromTheRecordWithoutADocument) {
  Image image;
  image.id = "sha256:" + std::string(64, 'c');
  image.config.cmd = {"sh"};
  image.config.exposed_ports = {"80/tcp"};
  rapidjson::Document doc = ParseView(ImageInspect(image, ""));
  EXPECT_STREQ(doc["Config"]["Cmd"][0].GetString(), "sh");
  EXPECT_TRUE(doc["Config"]["ExposedPorts"].HasMember("80/tcp"));
}

TEST(ViewsTest, ImageSummaryShortensTheId) {
  Image image;
  image.id = "sha256:0123456789abcdef";
  image.size = 1500;
  rapidjson::Document doc = ParseView(ImageSummary(image, "<none>", "<none>", absl::Now(), false));
  EXPECT_STREQ(doc["ID"].GetString(), "0123456789ab");
  EXPECT_STREQ(doc["Size"].GetString(), "1.5kB");
  EXPECT_EQ(DisplayImageId(image.id, true), image.id);
}

TEST(ContainerViewTest, NetworkSettingsAndPorts) {
  NetworkAttachment n;
  n.network = "front";
  n.subnet = "10.89.0.0/24";
  n.ip = "10.89.0.2";
  n.gateway = "10.89.0.1";
  n.mac = "02:42:0a:59:00:02";
  n.aliases = {"www"};
  n.ports = {{"", 8080, 80, "tcp"}, {"127.0.0.1", 5353, 53, "udp"}};
  rapidjson::Document doc =
      ParseView(ContainerInspect(StoppedState(), ContainerConfig{}, JsonStyle::kCompact, {n}));
  const rapidjson::Value& ns = doc["NetworkSettings"];
  EXPECT_STREQ(ns["IPAddress"].GetString(), "10.89.0.2");
  EXPECT_EQ(ns["IPPrefixLen"].GetInt(), 24);
  EXPECT_STREQ(ns["Ports"]["80/tcp"][0]["HostPort"].GetString(), "8080");
  EXPECT_STREQ(ns["Ports"]["53/udp"][0]["HostIp"].GetString(), "127.0.0.1");
  EXPECT_STREQ(ns["Networks"]["front"]["Aliases"][0].GetString(), "www");
  EXPECT_EQ(PortsText({n}), "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp");
  EXPECT_EQ(PortsText({}), "");
  rapidjson::Document line = ParseView(ContainerSummary(StoppedState(), absl::Now(), {n}));
  EXPECT_STREQ(line["Ports"].GetString(), "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp");
  EXPECT_STREQ(line["Networks"].GetString(), "front");
  // Without a network: the section is there, empty, as Docker's for --network none.
  rapidjson::Document lo = ParseView(ContainerInspect(StoppedState(), ContainerConfig{}));
  EXPECT_STREQ(lo["NetworkSettings"]["IPAddress"].GetString(), "");
  EXPECT_TRUE(lo["NetworkSettings"]["Networks"].ObjectEmpty());
  EXPECT_EQ(NetworksText({}), "none");
}

// After `network connect`: each network under Networks, the first's address at the top.
TEST(ContainerViewTest, SeveralNetworks) {
  NetworkAttachment front;
  front.network = "front";
  front.subnet = "10.89.0.0/24";
  front.ip = "10.89.0.2";
  NetworkAttachment back = front;
  back.network = "back";
  back.subnet = "10.90.0.0/16";
  back.ip = "10.90.0.7";
  back.interface = "eth1";
  rapidjson::Document doc = ParseView(
      ContainerInspect(StoppedState(), ContainerConfig{}, JsonStyle::kCompact, {front, back}));
  const rapidjson::Value& ns = doc["NetworkSettings"];
  EXPECT_STREQ(ns["IPAddress"].GetString(), "10.89.0.2");
  EXPECT_STREQ(ns["Networks"]["back"]["IPAddress"].GetString(), "10.90.0.7");
  EXPECT_EQ(ns["Networks"]["back"]["IPPrefixLen"].GetInt(), 16);
  EXPECT_EQ(NetworksText({front, back}), "front,back");
  NetworkAttachment host;
  host.host = true;
  EXPECT_EQ(NetworksText({host}), "host");
}

}  // namespace
}  // namespace mydocker::views
