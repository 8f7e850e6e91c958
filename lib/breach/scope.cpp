#include "breach/scope.h"

#include <algorithm>

#include "policy/names.h"
#include "policy/reader.h"
#include "util/civil_date.h"
#include "util/error.h"

namespace dsr::breach {

namespace {

[[noreturn]] void usage(const std::string& message) { throw Error(ExitStatus::usage, "breach scope: " + message); }

std::string did_you_mean(std::string_view value, const std::vector<std::string_view>& known) {
    auto guess = policy::closest(value, known);
    return guess ? "; did you mean '" + std::string(*guess) + "'?" : "";
}

const policy::Table& table_named(const policy::Policy& policy, const std::string& name) {
    if (const auto* t = policy.find_table(name)) return *t;
    std::vector<std::string_view> known;
    for (const auto& t : policy.tables) known.push_back(t.name);
    usage("the policy has no table '" + name + "'" + did_you_mean(name, known));
}

const policy::Column& column_named(const policy::Table& table, const std::string& name) {
    if (const auto* c = table.find_column(name)) return *c;
    std::vector<std::string_view> known;
    for (const auto& c : table.columns) known.push_back(c.name);
    usage("table '" + table.name + "' has no personal column '" + name + "' in the policy" + did_you_mean(name, known));
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

ScopedTable& entry_for(Scope& scope, const policy::Table& table) {
    for (auto& t : scope.tables)
        if (t.table == &table) return t;
    scope.tables.push_back({&table, {}, false, std::nullopt});
    return scope.tables.back();
}

void add_column(ScopedTable& entry, const policy::Column& column) {
    if (std::find(entry.columns.begin(), entry.columns.end(), &column) == entry.columns.end())
        entry.columns.push_back(&column);
}

void add_scope(const policy::Policy& policy, Scope& scope, const std::string& text) {
    if (text.empty()) usage("an empty --scope: name a TABLE or TABLE.COLUMN[,COLUMN…]");
    auto dot = text.find('.');
    const auto& table = table_named(policy, text.substr(0, dot));
    auto& entry = entry_for(scope, table);
    if (dot == std::string::npos) {
        entry.whole_table = true;
        entry.columns.clear();
        for (const auto& c : table.columns) entry.columns.push_back(&c);
        return;
    }
    if (entry.whole_table) return;
    for (const auto& name : split(text.substr(dot + 1), ',')) {
        if (name.empty()) usage("'" + text + "': an empty column name");
        add_column(entry, column_named(table, name));
    }
}

std::optional<std::int64_t> time_option(const std::string& text, const char* option) {
    if (text.empty()) return std::nullopt;
    auto t = parse_utc_time(text);
    if (!t) throw Error(ExitStatus::usage, std::string(option) + " '" + text + "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    return t;
}

/// The format the policy gives `table.column` where it uses it as a
/// timestamp (retention, hold); iso8601 when it does not.
policy::TimeFormat declared_format(const policy::Policy& policy, const std::string& table, const std::string& column) {
    for (const auto& t : policy.tables) {
        auto same = [&](const policy::Timestamp& ts) {
            return ts.column == column && (ts.table.empty() ? t.name : ts.table) == table;
        };
        if (t.retention && same(t.retention->timestamp)) return t.retention->timestamp.format;
        if (t.erasure && t.erasure->hold && same(t.erasure->hold->timestamp)) return t.erasure->hold->timestamp.format;
    }
    return policy::TimeFormat::iso8601;
}

policy::Timestamp time_column_option(const policy::Policy& policy, const std::string& text, std::string& table) {
    auto colon = text.find(':');
    std::string qualified = text.substr(0, colon);
    auto dot = qualified.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == qualified.size())
        throw Error(ExitStatus::usage, "--time-column '" + text + "': write TABLE.COLUMN[:FORMAT]");
    table = qualified.substr(0, dot);
    const auto& t = table_named(policy, table);
    policy::Timestamp ts;
    ts.column = qualified.substr(dot + 1);
    ts.format = declared_format(policy, t.name, ts.column);
    if (colon != std::string::npos) {
        std::string format = text.substr(colon + 1);
        auto it = std::find_if(std::begin(policy::time_formats), std::end(policy::time_formats),
                               [&](const auto& pair) { return pair.first == format; });
        if (it == std::end(policy::time_formats))
            throw Error(ExitStatus::usage, "--time-column '" + text +
                                               "': the format is iso8601, unix_seconds, unix_millis or native");
        ts.format = it->second;
    }
    return ts;
}

}  // namespace

Scope resolve_scope(const policy::Policy& policy, const ScopeRequest& request) {
    if (request.scopes.empty()) usage("name what leaked with --scope TABLE or --scope TABLE.COLUMN[,COLUMN…]");
    Scope scope;
    for (const auto& text : request.scopes) add_scope(policy, scope, text);
    scope.since = time_option(request.since, "--since");
    scope.until = time_option(request.until, "--until");
    if (scope.since && scope.until && *scope.since >= *scope.until)
        throw Error(ExitStatus::usage, "--since must be earlier than --until");

    std::vector<std::pair<std::string, policy::Timestamp>> named;
    for (const auto& text : request.time_columns) {
        std::string table;
        auto ts = time_column_option(policy, text, table);
        named.emplace_back(table, ts);
    }
    for (const auto& column : named) {
        const std::string& table = column.first;  // not a structured binding: clang before 16 cannot capture one
        if (std::none_of(scope.tables.begin(), scope.tables.end(), [&](const ScopedTable& s) { return s.table->name == table; }))
            throw Error(ExitStatus::usage, "--time-column names table '" + table + "', which no --scope names");
    }
    if (!scope.windowed()) {
        if (!named.empty()) throw Error(ExitStatus::usage, "--time-column needs a window: give --since or --until");
        return scope;
    }
    for (auto& entry : scope.tables) {
        auto given = std::find_if(named.begin(), named.end(), [&](const auto& n) { return n.first == entry.table->name; });
        if (given != named.end()) entry.time_column = given->second;
        else if (entry.table->retention) entry.time_column = entry.table->retention->timestamp;
        else
            throw Error(ExitStatus::usage, "table '" + entry.table->name +
                                               "' has no retention timestamp to window by: name the column with "
                                               "--time-column " + entry.table->name + ".COLUMN[:FORMAT]");
    }
    return scope;
}

nlohmann::ordered_json scope_json(const Scope& scope) {
    using Json = nlohmann::ordered_json;
    Json tables = Json::array();
    for (const auto& entry : scope.tables) {
        Json columns = nullptr;
        if (!entry.whole_table) {
            columns = Json::array();
            for (const auto* c : entry.columns) columns.push_back(c->name);
        }
        Json time = nullptr;
        if (entry.time_column)
            time = {{"table", entry.time_column->table.empty() ? entry.table->name : entry.time_column->table},
                    {"column", entry.time_column->column},
                    {"format", policy::to_string(entry.time_column->format)}};
        tables.push_back({{"table", entry.table->name}, {"columns", columns}, {"time_column", time}});
    }
    return {{"tables", tables},
            {"since", scope.since ? Json(*scope.since) : Json(nullptr)},
            {"until", scope.until ? Json(*scope.until) : Json(nullptr)}};
}

Scope scope_from_json(const policy::Policy& policy, const nlohmann::json& json) {
    Scope scope;
    try {
        for (const auto& t : json.at("tables")) {
            const auto& table = table_named(policy, t.at("table").get<std::string>());
            ScopedTable entry{&table, {}, t.at("columns").is_null(), std::nullopt};
            if (entry.whole_table)
                for (const auto& c : table.columns) entry.columns.push_back(&c);
            else
                for (const auto& c : t.at("columns")) add_column(entry, column_named(table, c.get<std::string>()));
            if (const auto& time = t.at("time_column"); !time.is_null()) {
                policy::Timestamp ts;
                std::string holder = time.at("table").get<std::string>();
                if (holder != table.name) ts.table = holder;
                ts.column = time.at("column").get<std::string>();
                std::string format = time.at("format").get<std::string>();
                for (const auto& [name, value] : policy::time_formats)
                    if (name == format) ts.format = value;
                entry.time_column = ts;
            }
            scope.tables.push_back(std::move(entry));
        }
        if (!json.at("since").is_null()) scope.since = json.at("since").get<std::int64_t>();
        if (!json.at("until").is_null()) scope.until = json.at("until").get<std::int64_t>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(ExitStatus::failure, std::string("the incident's recorded scope is unreadable: ") + e.what());
    }
    return scope;
}

}  // namespace dsr::breach
