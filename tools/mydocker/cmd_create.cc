// mydocker create [OPTIONS] IMAGE [COMMAND] [ARG...]: run's options; the container is left
// Created, and `start` runs it.
#include <iostream>

#include "commands.h"
#include "run_options.h"

namespace mydocker::cli {

void RegisterCreate(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* create = AddCreateCommand(app, "create", "Create a new container", *flags);
  create->callback([&ctx, flags, create] {
    flags->args = create->remaining();
    std::unique_ptr<Container> container = CreateFromFlags(ctx, *flags);
    if (container != nullptr) std::cout << container->id() << "\n";
  });
}

}  // namespace mydocker::cli
