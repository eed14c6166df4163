// LoginToRegistry: credentials checked against a registry, then stored.
#include "mydocker/pull.h"
#include "mydocker/registry_credentials.h"
#include "mydocker/status_macros.h"
#include "registry/registry_client.h"

namespace mydocker {

absl::Status LoginToRegistry(absl::string_view registry, const PullOptions& options,
                             const std::string& credentials_path) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string domain, registry::RegistryDomain(registry));
  registry::RemoteReference ref;
  ref.domain = domain;  // no repository: the token is asked for without a scope
  registry::ClientOptions client_options = registry::ClientOptionsOf(options);
  client_options.credentials = registry::Credentials{options.username, options.password};
  MYDOCKER_ASSIGN_OR_RETURN(registry::RegistryClient client,
                            registry::RegistryClient::Create(ref, client_options));
  MYDOCKER_RETURN_IF_ERROR(client.CheckLogin());
  return registry::StoreCredentials(credentials_path, domain,
                                    registry::Credentials{options.username, options.password});
}

}  // namespace mydocker
