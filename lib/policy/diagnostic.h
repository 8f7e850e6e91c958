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

/// `message`, cut (at a character boundary, marked) if longer than a few
/// hundred bytes: a message may quote a name from the policy, and a
/// hostile name of a megabyte would make a megabyte of diagnostics.
std::string clip_message(std::string message);

/// `FILE:LINE:COL: error: MESSAGE`, the form compilers use, so editors can jump to it.
std::string format_diagnostic(const std::string& file, const Diagnostic& d);

}  // namespace dsr::policy
