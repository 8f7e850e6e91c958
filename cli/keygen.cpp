// `dsr keygen`: not written yet (issue 3).

#include "cli/command.h"

namespace dsr::cli {

void add_keygen_command(CLI::App&, Commands&) {}

}  // namespace dsr::cli
