#include "policy/model.h"

#include "policy/names.h"

#include <algorithm>

namespace dsr::policy {

namespace {
template <typename T, typename Member>
const T* find_by(const std::vector<T>& items, Member member, std::string_view name) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.*member == name; });
    return it == items.end() ? nullptr : &*it;
}
}  // namespace

const Column* Table::find_column(std::string_view column_name) const { return find_by(columns, &Column::name, column_name); }
const Table* Policy::find_table(std::string_view name) const { return find_by(tables, &Table::name, name); }
const Identity* Policy::find_identity(std::string_view kind) const { return find_by(identities, &Identity::kind, kind); }
const Purpose* Policy::find_purpose(std::string_view name) const { return find_by(purposes, &Purpose::name, name); }
const Category* Policy::find_category(std::string_view name) const { return find_by(categories, &Category::name, name); }

const DatabaseRef* Policy::default_database() const {
    auto it = std::find_if(databases.begin(), databases.end(), [](const DatabaseRef& db) { return db.is_default; });
    return it == databases.end() ? nullptr : &*it;
}

Position position_of(const Policy& policy, std::string_view table, std::string_view column) {
    const Table* t = policy.find_table(table);
    if (!t) return {1, 1};
    if (column.empty()) return t->where;
    if (const Column* c = t->find_column(column)) return c->where;
    if (t->erasure)
        for (const auto& m : t->erasure->masks)
            if (m.column == column) return m.where;
    for (const auto& l : t->links)
        if (l.column == column) return l.where;
    if (t->retention && t->retention->timestamp.table.empty() && t->retention->timestamp.column == column)
        return t->retention->timestamp.where;
    if (t->erasure && t->erasure->hold && t->erasure->hold->timestamp.table.empty() &&
        t->erasure->hold->timestamp.column == column)
        return t->erasure->hold->timestamp.where;
    for (const auto& id : policy.identities)
        if (id.table == table && id.column == column) return id.where;
    return t->where;
}

std::string_view to_string(Regime r) { return name_in(regimes, r); }
std::string_view to_string(LawfulBasis b) { return name_in(bases, b); }
std::string_view to_string(RecipientRole r) { return name_in(roles, r); }
std::string_view to_string(Source s) { return name_in(sources, s); }
std::string_view to_string(TimeFormat f) { return name_in(time_formats, f); }
std::string_view to_string(ErasureAction a) { return name_in(actions, a); }
std::string_view to_string(MaskMethod m) { return name_in(mask_methods, m); }
std::string_view to_string(ConsentKind k) { return name_in(consent_kinds, k); }

std::vector<RecipientShare> recipients_receiving(const Policy& policy, const std::set<std::string>& categories) {
    std::vector<RecipientShare> out;
    for (const auto& r : policy.recipients) {
        RecipientShare share{&r, {}};
        for (const auto& c : r.categories)
            if (categories.count(c)) share.categories.push_back(c);
        if (!share.categories.empty()) out.push_back(std::move(share));
    }
    return out;
}

std::vector<RecipientShare> recipients_for_purpose(const Policy& policy, std::string_view purpose) {
    std::set<std::string> held;  // categories of the columns serving the purpose
    for (const auto& t : policy.tables)
        for (const auto& c : t.columns)
            if (std::find(c.purposes.begin(), c.purposes.end(), purpose) != c.purposes.end()) held.insert(c.category);
    std::vector<RecipientShare> out;
    for (const auto& r : policy.recipients) {
        if (std::find(r.purposes.begin(), r.purposes.end(), purpose) == r.purposes.end()) continue;
        RecipientShare share{&r, {}};
        for (const auto& c : r.categories)
            if (held.count(c)) share.categories.push_back(c);
        if (share.categories.empty()) share.categories = r.categories;
        out.push_back(std::move(share));
    }
    return out;
}

}  // namespace dsr::policy
