// The specs users type after run's flags: -p/--expose, --add-host, --ip, --subnet, --mac-address
// and -v. The first line picks the parser.
#include "fuzz.h"
#include "mydocker/volume_store.h"
#include "network/cidr.h"
#include "network/etc_files.h"
#include "network/netlink.h"
#include "network/port_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace net = mydocker::network;
  auto [which, spec] = mydocker::fuzz::FirstLine(mydocker::fuzz::Text(data, size));
  if (which == "publish") {
    net::ParsePublish(spec).IgnoreError();
  } else if (which == "expose") {
    net::ParseExpose(spec).IgnoreError();
  } else if (which == "add-host") {
    net::ParseAddHost(spec).IgnoreError();
  } else if (which == "ip") {
    net::ParseIp(spec).IgnoreError();
  } else if (which == "subnet") {
    net::ParseSubnet(spec).IgnoreError();
  } else if (which == "mac") {
    net::ParseMac(spec).IgnoreError();
  } else if (which == "volume") {
    mydocker::ParseVolumeSpec(spec).IgnoreError();
  }
  return 0;
}
