#include "policy_init/column_guess.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "policy/personal_names.h"

namespace dsr::policy_init {

namespace {

// 2001-09-09 to 2100-01-01 in seconds and milliseconds: what a shop's
// timestamps are, and what ids, counts and prices are not.
constexpr std::int64_t earliest_seconds = 1'000'000'000;
constexpr std::int64_t latest_seconds = 4'102'444'800;

bool most(std::size_t matches, std::size_t sampled) { return sampled > 0 && matches * 5 >= sampled * 4; }

/// Words a shop's column names use beyond policy check's list (policy/personal_names.cpp).
const std::map<std::string, std::string>& extra_name_words() {
    static const std::map<std::string, std::string> words = {
        {"city", "address"}, {"town", "address"}, {"country", "address"}, {"region", "address"},
        {"county", "address"}, {"province", "address"}, {"line1", "address"}, {"line2", "address"},
        {"line3", "address"}, {"house", "address"}, {"apartment", "address"}, {"postal", "address"},
        {"language", "demographic"}, {"locale", "demographic"}, {"nationality", "demographic"},
        {"chest", "body_measurements"}, {"waist", "body_measurements"}, {"hips", "body_measurements"},
        {"hip", "body_measurements"}, {"height", "body_measurements"}, {"weight", "body_measurements"},
        {"inseam", "body_measurements"}, {"sleeve", "body_measurements"}, {"neck", "body_measurements"},
        {"shoulder", "body_measurements"}, {"tracking", "online_identifier"}, {"login", "online_identifier"},
        {"session", "online_identifier"}, {"last4", "payment"}, {"cvv", "payment"},
        {"marketing", "marketing_preferences"}, {"newsletter", "marketing_preferences"},
        {"optin", "marketing_preferences"}, {"consent", "marketing_preferences"},
        {"unsubscribed", "marketing_preferences"}, {"subscribed", "marketing_preferences"},
        {"points", "loyalty"}, {"loyalty", "loyalty"}, {"subject", "communications"},
        {"body", "communications"}, {"message", "communications"}, {"comment", "communications"},
        {"comments", "communications"}, {"note", "communications"}, {"notes", "communications"},
        {"reason", "communications"}, {"feedback", "communications"}, {"password", "credentials"},
        {"passwd", "credentials"}, {"secret", "credentials"}, {"diagnosis", "health"},
        {"allergy", "health"}, {"allergies", "health"},
    };
    return words;
}

/// Words in table names and the category of the columns of such a table.
const std::map<std::string, std::string>& table_words() {
    static const std::map<std::string, std::string> words = {
        {"order", "purchase_history"}, {"orders", "purchase_history"}, {"item", "purchase_history"},
        {"items", "purchase_history"}, {"line", "purchase_history"}, {"lines", "purchase_history"},
        {"purchase", "purchase_history"}, {"purchases", "purchase_history"}, {"invoice", "purchase_history"},
        {"invoices", "purchase_history"}, {"cart", "purchase_history"}, {"basket", "purchase_history"},
        {"return", "purchase_history"}, {"returns", "purchase_history"}, {"refund", "purchase_history"},
        {"refunds", "purchase_history"}, {"shipment", "purchase_history"}, {"shipments", "purchase_history"},
        {"shipping", "purchase_history"}, {"delivery", "purchase_history"}, {"deliveries", "purchase_history"},
        {"sale", "purchase_history"}, {"sales", "purchase_history"}, {"payment", "payment"},
        {"payments", "payment"}, {"transaction", "payment"}, {"transactions", "payment"},
        {"charge", "payment"}, {"charges", "payment"}, {"ticket", "communications"},
        {"tickets", "communications"}, {"support", "communications"}, {"message", "communications"},
        {"messages", "communications"}, {"chat", "communications"}, {"review", "communications"},
        {"reviews", "communications"}, {"feedback", "communications"}, {"loyalty", "loyalty"},
        {"points", "loyalty"}, {"reward", "loyalty"}, {"rewards", "loyalty"},
        {"newsletter", "marketing_preferences"}, {"marketing", "marketing_preferences"},
        {"subscription", "marketing_preferences"}, {"subscriptions", "marketing_preferences"},
        {"campaign", "marketing_preferences"}, {"consent", "marketing_preferences"},
        {"consents", "marketing_preferences"}, {"session", "online_identifier"},
        {"sessions", "online_identifier"}, {"login", "online_identifier"}, {"logins", "online_identifier"},
        {"visit", "online_identifier"}, {"visits", "online_identifier"}, {"pageviews", "online_identifier"},
        {"clicks", "online_identifier"}, {"device", "online_identifier"}, {"devices", "online_identifier"},
        {"measurement", "body_measurements"}, {"measurements", "body_measurements"},
        {"body", "body_measurements"}, {"address", "address"}, {"addresses", "address"},
    };
    return words;
}

/// Words that make a column a record of when something happened.
bool is_time_word(const std::string& word) {
    static const std::set<std::string> words = {"at", "on", "time", "timestamp", "date", "datetime", "ts",
                                                "created", "updated", "modified", "deleted"};
    return words.count(word) > 0;
}

/// Words of data a system records about a person rather than data they give.
bool is_observed_word(const std::string& word) {
    static const std::set<std::string> words = {
        "ip",      "agent",    "useragent", "session", "device", "cookie", "login",  "token",  "tracking",
        "status",  "event",    "last4",     "points",  "total",  "amount", "cents",  "price",  "quantity",
        "qty",     "count",    "carrier",   "currency", "seen",  "visits", "score",  "balance"};
    return words.count(word) > 0;
}

bool has_birth_word(const std::vector<std::string>& words) {
    return std::any_of(words.begin(), words.end(), [](const std::string& w) {
        return w == "birth" || w == "dob" || w == "birthday" || w == "birthdate" || w == "born";
    });
}

}  // namespace

std::string_view to_string(TimeFormat format) {
    switch (format) {
        case TimeFormat::iso8601: return "iso8601";
        case TimeFormat::unix_seconds: return "unix_seconds";
        case TimeFormat::unix_millis: return "unix_millis";
        case TimeFormat::native: return "native";
    }
    return "iso8601";
}

ValueEvidence weigh_values(const std::vector<db::Value>& values, int current_year) {
    ValueEvidence evidence;
    std::map<ValueShape, std::size_t> shapes;
    std::size_t iso = 0, seconds = 0, millis = 0;
    for (const auto& value : values) {
        if (std::holds_alternative<std::monostate>(value)) continue;
        ++evidence.sampled;
        if (const auto* text = std::get_if<std::string>(&value)) {
            if (auto shape = shape_of(*text, current_year)) ++shapes[*shape];
            if (is_iso8601_time(*text)) ++iso;
        } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
            if (*number >= earliest_seconds && *number < latest_seconds) ++seconds;
            if (*number >= earliest_seconds * 1000 && *number < latest_seconds * 1000) ++millis;
            // Card numbers kept as integers: 13 to 19 digits fit in 64 bits.
            if (*number > 0) {
                auto digits = std::to_string(*number);
                if (is_card_number(digits)) ++shapes[ValueShape::card_number];
            }
        }
    }
    // A log holds both IP versions: together they make one column of IP addresses.
    if (auto v4 = shapes[ValueShape::ipv4], v6 = shapes[ValueShape::ipv6]; v4 > 0 && v6 > 0) {
        shapes[v6 > v4 ? ValueShape::ipv6 : ValueShape::ipv4] = v4 + v6;
        shapes.erase(v6 > v4 ? ValueShape::ipv4 : ValueShape::ipv6);
    }
    for (const auto& [shape, count] : shapes) {
        if (most(count, evidence.sampled) && count > evidence.shape_matches) {
            evidence.shape = shape;
            evidence.shape_matches = count;
        }
    }
    // A birth date is data, not the time of an event: it is never a retention clock.
    bool births = evidence.shape == ValueShape::birth_date;
    if (most(iso, evidence.sampled) && !births)
        evidence.time_format = TimeFormat::iso8601;
    else if (most(seconds, evidence.sampled))
        evidence.time_format = TimeFormat::unix_seconds;
    else if (most(millis, evidence.sampled))
        evidence.time_format = TimeFormat::unix_millis;
    return evidence;
}

std::vector<std::string> identifier_words(std::string_view name) {
    std::vector<std::string> words;
    std::string current;
    auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool separator = c == '_' || c == '-' || c == ' ' || c == '.' || c == '[' || c == ']' || c == '"' || c == '`';
        char previous = i > 0 ? name[i - 1] : 0;
        char next = i + 1 < name.size() ? name[i + 1] : 0;
        // customerId: a capital after a small letter; IPAddress: the last capital of a run before a small letter.
        bool hump = upper(c) && (std::islower(static_cast<unsigned char>(previous)) ||
                                 (upper(previous) && std::islower(static_cast<unsigned char>(next))));
        if ((separator || hump) && !current.empty()) {
            words.push_back(current);
            current.clear();
        }
        if (!separator) current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!current.empty()) words.push_back(current);
    return words;
}

std::optional<NameHint> category_from_name(std::string_view column) {
    const auto& extra = extra_name_words();
    auto words = identifier_words(column);
    // The whole name first (firstName -> firstname), then word by word.
    std::string joined;
    for (const auto& w : words) joined += w;
    if (auto c = policy::suggested_category(joined)) return NameHint{*c, joined};
    for (const auto& word : words) {
        if (auto c = policy::suggested_category(word)) return NameHint{*c, word};
        if (auto it = extra.find(word); it != extra.end()) return NameHint{it->second, word};
    }
    return std::nullopt;
}

std::optional<NameHint> category_from_table(std::string_view table) {
    const auto& known = table_words();
    // The last word of a compound names the thing (delivery_addresses are addresses).
    auto words = identifier_words(table);
    for (auto word = words.rbegin(); word != words.rend(); ++word)
        if (auto it = known.find(*word); it != known.end()) return NameHint{it->second, *word};
    return std::nullopt;
}

bool is_timestamp_column(const db::ColumnInfo& column, const ValueEvidence& evidence) {
    if (evidence.shape == ValueShape::birth_date) return false;
    auto words = identifier_words(column.name);
    if (has_birth_word(words)) return false;
    if (evidence.time_format || column.type_class == db::TypeClass::timestamp) return true;
    // Nothing sampled (an empty table): trust the name.
    return evidence.sampled == 0 && !words.empty() && is_time_word(words.back());
}

std::optional<std::string> identity_kind(const db::ColumnInfo& column, const ValueEvidence& evidence) {
    if (evidence.shape == ValueShape::email) return "email";
    if (evidence.shape == ValueShape::phone) return "phone";
    // Values outrank the name: `email_verified` holding 0 and 1 names no one.
    // Only an empty column is taken at its name's word.
    if (evidence.sampled > 0) return std::nullopt;
    for (const auto& word : identifier_words(column.name)) {
        if (word == "email" || word == "mail") return "email";
        if (word == "phone" || word == "mobile" || word == "telephone") return "phone";
    }
    return std::nullopt;
}

ColumnGuess guess_column(std::string_view table, const db::ColumnInfo& column, const ValueEvidence& evidence) {
    ColumnGuess guess;
    auto by_name = category_from_name(column.name);
    guess.from_name = by_name.has_value();
    if (evidence.shape) {
        guess.category = std::string(category_of(*evidence.shape));
        guess.from_values = true;
        guess.reason = "from the values, which look like " + std::string(describe(*evidence.shape)) + " (" +
                       std::to_string(evidence.shape_matches) + " of " + std::to_string(evidence.sampled) +
                       " sampled)";
        if (by_name && by_name->category != guess.category)
            guess.reason += ", though its name ('" + by_name->word + "') suggests " + by_name->category;
    } else if (by_name) {
        guess.category = by_name->category;
        guess.reason = "from its name ('" + by_name->word + "')";
    } else if (auto by_table = category_from_table(table)) {
        guess.category = by_table->category;
        guess.reason = "from its table's name ('" + by_table->word + "')";
    } else {
        guess.category = std::string(unreviewed_category);
        guess.reason = "nothing in its name, its table's name or its values suggests one";
    }

    auto words = identifier_words(column.name);
    bool observed = is_timestamp_column(column, evidence) ||
                    evidence.shape == ValueShape::ipv4 || evidence.shape == ValueShape::ipv6 ||
                    std::any_of(words.begin(), words.end(), [](const std::string& w) {
                        return is_observed_word(w) || is_time_word(w);
                    });
    if (has_birth_word(words) || evidence.shape == ValueShape::birth_date) observed = false;
    guess.source = observed ? "observed" : "provided";
    return guess;
}

}  // namespace dsr::policy_init
