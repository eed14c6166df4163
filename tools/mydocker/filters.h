// The CLI's name for the library's --filter parser (mydocker/filters.h).
#ifndef MYDOCKER_TOOLS_FILTERS_H_
#define MYDOCKER_TOOLS_FILTERS_H_

#include "mydocker/filters.h"

namespace mydocker::cli {

using mydocker::Filters;
using mydocker::InvalidFilter;

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_FILTERS_H_
