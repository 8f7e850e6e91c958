#pragma once
// Where a stream of bytes goes: a file being written, an encryptor in front
// of one, a hash. Writers of large outputs (exports) push through a chain of
// sinks so memory never holds the whole output.

#include <string_view>

namespace dsr {

class ByteSink {
public:
    virtual ~ByteSink() = default;
    /// Takes `bytes`; throws dsr::Error (io) when they cannot be written.
    virtual void write(std::string_view bytes) = 0;
};

}  // namespace dsr
