#include "policy/yaml_tree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cstdio>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace dsr::policy {

YamlNode::~YamlNode() = default;

const YamlNode* YamlNode::find(std::string_view key) const {
    for (const auto& [k, v] : entries)
        if (k.value == key) return &v;
    return nullptr;
}

std::string_view kind_name(YamlNode::Kind kind) {
    switch (kind) {
        case YamlNode::Kind::null: return "nothing";
        case YamlNode::Kind::scalar: return "a scalar";
        case YamlNode::Kind::sequence: return "a list";
        case YamlNode::Kind::map: return "a mapping";
    }
    return "?";
}

namespace {

Position position_of(const YAML::Mark& mark) {
    if (mark.is_null()) return {1, 1};
    return {mark.line + 1, mark.column + 1};
}

Position position_at_offset(std::string_view text, std::size_t offset) {
    Position p{1, 1};
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

/// Offset of the first byte that is not well-formed UTF-8, or npos.
std::size_t first_invalid_utf8(std::string_view s) {
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned c = b[i];
        std::size_t len = 0;
        unsigned min = 0;
        unsigned code = 0;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; code = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; code = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; code = c & 0x07; }
        else return i;
        if (i + len > s.size()) return i;
        for (std::size_t k = 1; k < len; ++k) {
            if ((b[i + k] & 0xC0) != 0x80) return i;
            code = (code << 6) | (b[i + k] & 0x3F);
        }
        // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

/// Offset of the first character that is neither blank nor in a comment, or npos.
std::size_t first_outside_comments(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '#') {
            i = text.find('\n', i);
            if (i == std::string_view::npos) return i;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return i;
        }
    }
    return std::string_view::npos;
}

/// Thrown by the builder to stop the parser: at the first level too deep,
/// or once there are too many errors to be worth finding more.
struct StopParsing {
    std::optional<Diagnostic> error;  ///< to record, if not recorded yet
};

/// Offset of the first control character in `s` (UTF-8): C0 other than tab,
/// line feed and carriage return, DEL, or C1. A policy never needs one, and
/// echoed in a message or a text report, an escape sequence would drive the
/// reader's terminal. npos when there is none.
std::size_t first_control_character(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return i;
        // U+0080..U+009F are C2 80..C2 9F in UTF-8.
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F &&
            static_cast<unsigned char>(s[i + 1]) >= 0x80)
            return i;
    }
    return std::string_view::npos;
}

/// "U+001B" for the control character at `s[at]`.
std::string code_point_name(std::string_view s, std::size_t at) {
    unsigned code = static_cast<unsigned char>(s[at]);
    if (code == 0xC2 && at + 1 < s.size()) code = static_cast<unsigned char>(s[at + 1]);
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "U+%04X", code);
    return buffer;
}

/// Builds YamlNode trees from parser events, refusing what policies must not use.
class TreeBuilder : public YAML::EventHandler {
public:
    explicit TreeBuilder(std::string_view text) : text_(text) {}

    std::vector<YamlNode> documents;
    std::vector<Diagnostic> errors;

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        check_anchor(mark, anchor);
        YamlNode n;
        n.kind = YamlNode::Kind::null;
        n.where = position_of(mark);
        add(std::move(n));
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
        fail(mark, "aliases (*name) are not allowed in a policy; write the value out");
        YamlNode n;
        n.where = position_of(mark);
        add(std::move(n));
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        check_anchor(mark, anchor);
        check_tag(mark, tag);
        if (tag == "!") check_closing_quote(mark);
        // Raw control bytes are refused before parsing; these came from escapes such as "\0" or "\e".
        if (auto at = first_control_character(value); at != std::string::npos)
            fail(mark, "control character " + code_point_name(value, at) +
                           " (written as an escape); a policy holds printable text only");
        YamlNode n;
        n.kind = YamlNode::Kind::scalar;
        n.where = position_of(mark);
        n.value = value;
        add(std::move(n));
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, tag, anchor, YamlNode::Kind::sequence);
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, tag, anchor, YamlNode::Kind::map);
    }
    void OnMapEnd() override { close(); }

private:
    struct Frame {
        YamlNode node;
        std::optional<YamlNode> pending_key;  // maps only: a key waiting for its value
        std::unordered_map<std::string, int> key_lines;  // maps only: keys seen, for duplicates in linear time
    };
    std::string_view text_;
    std::vector<Frame> stack_;
    std::size_t nodes_ = 0;

    /// yaml-cpp 0.7 accepts a quoted scalar that is never closed and runs it
    /// to the end of the input, swallowing the rest of the policy silently.
    void check_closing_quote(const YAML::Mark& mark) {
        if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text_.size()) return;
        auto start = static_cast<std::size_t>(mark.pos);
        char quote = text_[start];
        if (quote != '"' && quote != '\'') return;
        for (std::size_t i = start + 1; i < text_.size(); ++i) {
            if (quote == '"' && text_[i] == '\\') {
                ++i;  // an escaped character, possibly a quote
            } else if (text_[i] == quote) {
                if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
                    ++i;  // '' is a quote inside a single-quoted scalar
                } else {
                    return;
                }
            }
        }
        fail(mark, "YAML syntax error: quoted string is never closed");
    }

    void fail(const YAML::Mark& mark, std::string message) { record({position_of(mark), std::move(message)}); }

    /// As Reader::error: a hostile policy of 200,000 duplicate keys makes
    /// 100 diagnostics and a note, not 200,000, and parsing stops there
    /// rather than building a tree no one will use.
    void record(Diagnostic d) {
        constexpr std::size_t max_errors = 100;
        if (errors.size() == max_errors) {
            errors.push_back({d.where, "too many errors; stopped after " + std::to_string(max_errors)});
            throw StopParsing{};
        }
        errors.push_back({d.where, clip_message(std::move(d.message))});
    }

    void check_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
        if (anchor != YAML::NullAnchor)
            fail(mark, "anchors (&name) are not allowed in a policy; write the value out");
    }

    void check_tag(const YAML::Mark& mark, const std::string& tag) {
        // "?" marks a plain scalar, "!" a quoted one; anything else was written as a tag.
        if (!tag.empty() && tag != "?" && tag != "!")
            fail(mark, "tags (" + tag + ") are not allowed in a policy");
    }

    void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, YamlNode::Kind kind) {
        check_anchor(mark, anchor);
        check_tag(mark, tag);
        // Parsing stops here: yaml-cpp recurses once per level, so going on
        // through a 10,000-deep document would cost stack for nothing (and
        // report the same problem again when it gives up at its own limit).
        if (static_cast<int>(stack_.size()) >= max_policy_depth)
            throw StopParsing{Diagnostic{position_of(mark), "nesting deeper than " + std::to_string(max_policy_depth) + " levels"}};
        Frame f;
        f.node.kind = kind;
        f.node.where = position_of(mark);
        stack_.push_back(std::move(f));
    }

    void close() {
        YamlNode done = std::move(stack_.back().node);
        stack_.pop_back();
        add(std::move(done));
    }

    void add(YamlNode n) {
        if (++nodes_ > max_policy_nodes)
            throw StopParsing{Diagnostic{n.where, "more than " + std::to_string(max_policy_nodes) +
                                                      " keys and values; a policy is far smaller"}};
        if (stack_.empty()) {
            documents.push_back(std::move(n));
            return;
        }
        Frame& top = stack_.back();
        if (top.node.kind == YamlNode::Kind::sequence) {
            top.node.items.push_back(std::move(n));
            return;
        }
        if (!top.pending_key) {
            if (n.kind != YamlNode::Kind::scalar) {
                record({n.where, "a mapping key must be a plain name, not " + std::string(kind_name(n.kind))});
                n.kind = YamlNode::Kind::scalar;  // keep building so later errors are found too
            }
            auto [seen, inserted] = top.key_lines.emplace(n.value, n.where.line);
            if (!inserted)
                record({n.where, "duplicate key '" + n.value + "' (first defined at line " +
                                     std::to_string(seen->second) + ")"});
            top.pending_key = std::move(n);
            return;
        }
        // yaml-cpp marks an empty value at the next token, often on a later
        // line; the key's own position is where a person will look.
        if (n.kind == YamlNode::Kind::null && n.entries.empty()) n.where = top.pending_key->where;
        top.node.entries.emplace_back(std::move(*top.pending_key), std::move(n));
        top.pending_key.reset();
    }
};

}  // namespace

YamlParseResult parse_yaml(std::string_view text) {
    YamlParseResult result;
    if (text.size() > max_policy_bytes) {
        result.errors.push_back({{1, 1}, "policy is " + std::to_string(text.size()) +
                                             " bytes; the limit is " + std::to_string(max_policy_bytes)});
        return result;
    }
    if (auto bad = first_invalid_utf8(text); bad != std::string_view::npos) {
        result.errors.push_back({position_at_offset(text, bad), "invalid UTF-8 byte sequence"});
        return result;
    }
    // YAML forbids them in a stream, but yaml-cpp reads a NUL as the end of
    // a string and passes an escape sequence through.
    if (auto at = first_control_character(text); at != std::string_view::npos) {
        result.errors.push_back({position_at_offset(text, at), "control character " + code_point_name(text, at) +
                                                                   " in the file; a policy holds printable text only"});
        return result;
    }

    std::istringstream in{std::string(text)};
    TreeBuilder builder(text);
    try {
        YAML::Parser parser(in);
        // Documents are read one at a time (not LoadAll, which loops on some
        // malformed input); a second document is an error, not ignored.
        if (parser.HandleNextDocument(builder) && builder.errors.empty()) {
            TreeBuilder extra(text);
            if (parser.HandleNextDocument(extra) && !extra.documents.empty()) {
                // yaml-cpp answers some stray punctuation (a lone ",") with
                // empty documents that consume nothing; that is a syntax error.
                bool nothing_consumed = builder.documents.empty() || builder.documents.front().is_null();
                auto stray = first_outside_comments(text);
                if (nothing_consumed && stray != std::string_view::npos)
                    builder.errors.push_back({position_at_offset(text, stray), "YAML syntax error: unexpected '" +
                                                                                   std::string(1, text[stray]) + "'"});
                else
                    builder.errors.push_back({extra.documents.front().where,
                                              "a policy is one YAML document; found a second one"});
            }
        }
    } catch (const StopParsing& e) {
        if (e.error) builder.errors.push_back(*e.error);
    } catch (const YAML::DeepRecursion& e) {
        builder.errors.push_back({position_of(e.mark), "nesting too deep"});
    } catch (const YAML::Exception& e) {
        builder.errors.push_back({position_of(e.mark), "YAML syntax error: " + e.msg});
    }

    if (builder.errors.empty() && builder.documents.empty())
        builder.errors.push_back({{1, 1}, "policy is empty"});
    if (!builder.errors.empty()) {
        result.errors = std::move(builder.errors);
        return result;
    }
    result.root = std::move(builder.documents.front());
    return result;
}

}  // namespace dsr::policy
