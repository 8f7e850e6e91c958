#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jobs/access.h"
#include "policy/model.h"
#include "report/report.h"

namespace dsr::report {

/// The access report as compact JSON text: per table the subject's rows
/// with each column's category, purposes, lawful basis and source, each
/// row's retention (and hold) end, plus the Art. 15(1) items (purposes,
/// categories, sources, recipients and transfers, retention, rights, how to
/// complain, controller), with the headings in the regime's own terms and
/// the CCPA look-back when one applied. Withheld columns show
/// {"withheld": true}. dsr-report(7) describes the fields.
///
/// Most of a report depends only on the policy: each table's column
/// descriptions, and the Art. 15(1) items for a given set of tables with
/// data. A writer renders those once and reuses the text for every subject,
/// since a batch otherwise spends most of its time rebuilding them.
class AccessJsonWriter {
public:
    explicit AccessJsonWriter(const policy::Policy& policy);

    std::string report(const Envelope& envelope, const SubjectRef& subject, const jobs::AccessResult& result);
    /// The report when nothing is held (status not_found): `result` says
    /// whether a look-back limited the search.
    std::string not_found(const Envelope& envelope, const SubjectRef& subject, const jobs::AccessResult& result);

private:
    /// Everything up to the tables: envelope, subject, controller, terms, look-back.
    std::string head(const Envelope& envelope, const SubjectRef& subject, const jobs::AccessResult& result);
    /// `{"table":…,"row_count":` and what follows the count up to the first row.
    struct TableText {
        std::vector<std::string> columns;  ///< the columns and withheld flags it was made for
        std::vector<bool> withheld;
        std::string before_count, after_count;
        std::vector<std::string> value_prefixes;  ///< `{"id":`, `,"email":` …
        bool column_named_retention_ends = false, column_named_hold_ends = false;
    };
    const TableText& table_text(const jobs::AccessTable& t);

    const policy::Policy& policy_;
    std::string controller_and_regime_;  ///< `,"controller":…,"regime":…`
    std::string terms_;                  ///< `,"terms":…`
    std::map<const policy::Table*, TableText> tables_;
    /// `,"purposes":…` to `,"complaint":…`, by the names of the tables with rows.
    std::map<std::string, std::string> items_by_tables_with_rows_;
};

/// The same report for the person it is about: grouped by category, in words.
std::string access_text(const policy::Policy& policy, const jobs::AccessResult& result);
std::string access_not_found_text(const policy::Policy& policy, const jobs::AccessResult& result);

/// Adds `"key":value` as the last member of `object`, the compact JSON text
/// of an object (a report from AccessJsonWriter).
void append_member(std::string& object, std::string_view key, const nlohmann::ordered_json& value);

/// Compact JSON text of `value`. A text column may hold bytes that are not
/// UTF-8: they become U+FFFD rather than an exception half way through.
std::string json_text(const nlohmann::ordered_json& value);

/// Appends `value` as JSON, the same bytes as json_text(value_json(value)),
/// without building a JSON value for the common cases (integers, NULL,
/// text with nothing to escape): what large reports and exports are made of.
void append_value_json(std::string& out, const db::Value& value);

/// A database value as JSON: numbers, strings, null, or {"base64": …} for bytes.
nlohmann::ordered_json value_json(const db::Value& value);

/// A database value for a person to read: text as it is, numbers in their
/// shortest exact form (0.1, 1e+300), "(none)" for NULL, and bytes as
/// "(N bytes)" with their base64 when short.
std::string value_text(const db::Value& value);

/// The shortest decimal text that reads back as exactly `d`.
std::string shortest_real(double d);

}  // namespace dsr::report
