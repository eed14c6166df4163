// mydocker-nft: applies the nftables script read from standard input, in one transaction,
// through libnftables. The runtime generates the scripts (src/network/rules.h) and runs this
// program only when rules change. Exit 0 on success; nftables' messages on standard error.
#include <nftables/libnftables.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

int main() {
  std::string script;
  char buf[4096];
  for (ssize_t n; (n = ::read(STDIN_FILENO, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::perror("mydocker-nft: read");
      return 1;
    }
    script.append(buf, static_cast<size_t>(n));
  }
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (ctx == nullptr) {
    std::fputs("mydocker-nft: cannot create an nftables context\n", stderr);
    return 1;
  }
  nft_ctx_buffer_error(ctx);
  int rc = nft_run_cmd_from_buffer(ctx, script.c_str());
  const char* errors = nft_ctx_get_error_buffer(ctx);
  if (rc != 0) std::fputs(errors != nullptr && *errors ? errors : "mydocker-nft: failed\n", stderr);
  nft_ctx_free(ctx);
  return rc == 0 ? 0 : 1;
}
