// `dsr request`: not written yet (issue 3).

#include "cli/command.h"

namespace dsr::cli {

void add_request_commands(CLI::App&, Commands&) {}

}  // namespace dsr::cli
