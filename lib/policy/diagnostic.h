#pragma once

#include <string>
#include <vector>

#include "policy/model.h"

namespace dsr::policy {

/// One problem in a policy file, at a 1-based line and column.
struct Diagnostic {
    Position where;
    std::string message;
};

/// `FILE:LINE:COL: error: MESSAGE`, the form compilers use, so editors can jump to it.
std::string format_diagnostic(const std::string& file, const Diagnostic& d);

}  // namespace dsr::policy
