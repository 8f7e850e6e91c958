#pragma once
// One error type for everything lib/ throws at the front end. Lower layers
// convert driver and library exceptions into it, so cli/ sees only this.

#include <stdexcept>
#include <string>

#include "util/exit_status.h"

namespace dsr {

class Error : public std::runtime_error {
public:
    Error(ExitStatus status, const std::string& message) : std::runtime_error(message), status_(status) {}
    ExitStatus status() const { return status_; }

private:
    ExitStatus status_;
};

}  // namespace dsr
