#pragma once
// Shared by the policy tests: how a diagnostic and a position read in a
// failed assertion's message.

#include <ostream>
#include <string>

#include "policy/diagnostic.h"

namespace dsr::policy {
inline std::ostream& operator<<(std::ostream& os, const Diagnostic& d) {
    return os << d.where.line << ':' << d.where.column << ": " << d.message;
}
}  // namespace dsr::policy

namespace dsr::test {
/// "LINE:COLUMN", as messages print it.
inline std::string at(const policy::Position& p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }
}  // namespace dsr::test
