#include "policy/diagnostic.h"

namespace dsr::policy {

std::string format_diagnostic(const std::string& file, const Diagnostic& d) {
    return file + ":" + std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": error: " + d.message;
}

}  // namespace dsr::policy
