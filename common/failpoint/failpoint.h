// Failpoints: named places where a test can make the process die on purpose, to prove
// that a crash at that exact moment loses nothing and doubles nothing.
//
// HIRESYNC_FAILPOINTS="ingress.after_inbox_commit" (a comma-separated list) arms points
// when the process starts; an armed point kills the process with SIGKILL the first time
// it is reached. "name@N" fires on the N-th time instead. Unarmed points cost one
// relaxed atomic load. Production never sets the variable.
#pragma once

#include <string_view>

namespace hiresync::failpoint {

// Reads HIRESYNC_FAILPOINTS; called once by Hit() on first use (and by tests).
void Configure(std::string_view spec);

// True when `name` is armed and due now (counts the hit). Tests of this module use it;
// code uses Hit().
bool Due(std::string_view name);

// Kills the process (SIGKILL to itself) when `name` is armed and due.
void Hit(std::string_view name);

}  // namespace hiresync::failpoint
