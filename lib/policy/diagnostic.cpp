#include "policy/diagnostic.h"

namespace dsr::policy {

std::string clip_message(std::string message) {
    constexpr std::size_t limit = 500;
    if (message.size() <= limit) return message;
    std::size_t cut = limit;
    // Back to the first byte of a UTF-8 sequence, never into the middle of one.
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
    message.resize(cut);
    return message + "… (message cut at " + std::to_string(limit) + " bytes)";
}

std::string format_diagnostic(const std::string& file, const Diagnostic& d) {
    return file + ":" + std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": error: " + d.message;
}

}  // namespace dsr::policy
