// What the files of libcontainer/src/container/ share and Runtime uses of them.
#ifndef MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_
#define MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_

#include "mydocker/container.h"
#include "mydocker/container_state.h"

namespace mydocker {

class Host;

// ReconcileState (container.h) asking `host` whether the recorded processes still exist.
ContainerState ReconcileState(ContainerState state, Host& host);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_CONTAINER_INTERNAL_H_
