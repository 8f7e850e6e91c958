#include "policy_init/draft.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "util/error.h"

namespace dsr::policy_init {

namespace {

const ValueEvidence& evidence_of(const SchemaEvidence& evidence, const std::string& table, const std::string& column) {
    static const ValueEvidence none;
    auto t = evidence.find(table);
    if (t == evidence.end()) return none;
    auto c = t->second.find(column);
    return c == t->second.end() ? none : c->second;
}

std::string joined_words(std::string_view name) {
    std::string out;
    for (const auto& w : identifier_words(name)) out += w;
    return out;
}

/// True if `table`'s name is `stem` or a plural of it (customer: customers; category: categories).
bool names_table(const std::string& stem, const std::string& table) {
    if (stem.empty()) return false;
    if (table == stem || table == stem + "s" || table == stem + "es") return true;
    return stem.back() == 'y' && table == stem.substr(0, stem.size() - 1) + "ies";
}

bool is_subject_word(const std::string& word) {
    static const std::set<std::string> words = {
        "customer", "customers", "user",     "users",     "account",  "accounts", "member",   "members",
        "client",   "clients",   "person",   "people",    "persons",  "subscriber", "subscribers", "patient",
        "patients", "contact",   "contacts", "buyer",     "buyers",   "shopper",  "shoppers", "profile",
        "profiles", "student",   "students", "employee",  "employees"};
    return words.count(word) > 0;
}

/// Where a table's rows may point: a declared foreign key or one guessed from a column's name.
struct Reference {
    std::string column;
    std::string parent;
    std::string parent_column;
    bool declared = false;
};

struct Link {
    std::string column;
    std::string parent;         ///< empty for an identity link
    std::string parent_column;
    std::string identity;
    std::string review;
    bool guessed = false;
};

struct Note {
    std::string name;
    std::string review;
};

struct Retention {
    std::string column;  ///< COLUMN or PARENT.COLUMN
    std::string format;
    std::string keep;
    std::string why;
};

struct TablePlan {
    const db::TableInfo* info = nullptr;
    std::string key;
    std::string key_review;  ///< set when the key is not a lone primary key
    std::vector<Reference> references;
    bool reached = false;
    int order = 0;  ///< when it was reached: links only point to tables reached earlier, so they cannot cycle
    std::vector<Link> links;
    std::vector<Note> non_personal;
    std::vector<std::pair<std::string, ColumnGuess>> columns;
    bool looks_personal = false;  ///< some column's name or values say so
    std::optional<Retention> retention;
};

std::string choose_key(const db::TableInfo& info, std::string& review) {
    std::vector<const db::ColumnInfo*> primary;
    for (const auto& c : info.columns)
        if (c.primary_key) primary.push_back(&c);
    if (primary.size() == 1) return primary.front()->name;
    if (!primary.empty()) {
        const auto* lead = primary.front();
        for (const auto* c : primary)
            if (c->leads_primary_key) lead = c;
        review = "the primary key has " + std::to_string(primary.size()) +
                 " columns; a policy names one: erasure by this key reaches every row sharing its value";
        return lead->name;
    }
    for (const auto& c : info.columns)
        if (c.unique && c.not_null) {
            review = "no primary key; this UNIQUE NOT NULL column names the rows";
            return c.name;
        }
    return "";
}

/// The column's name read as `<table>_id` / `<table>Id` / `<table>ID`: the table it names, if any.
const TablePlan* named_parent(const std::string& column, const TablePlan& own, const std::vector<TablePlan>& plans) {
    auto words = identifier_words(column);
    if (words.empty()) return nullptr;
    std::vector<std::string> stems;
    if (words.size() >= 2 && words.back() == "id") {
        std::string stem;
        for (std::size_t i = 0; i + 1 < words.size(); ++i) stem += words[i];
        stems.push_back(stem);
        stems.push_back(words[words.size() - 2]);  // billing_customer_id: customer
    } else if (words.size() == 1 && words.front().size() > 2 && words.front().ends_with("id")) {
        stems.push_back(words.front().substr(0, words.front().size() - 2));  // customerid
    }
    for (const auto& stem : stems)
        for (const auto& plan : plans)
            if (&plan != &own && !plan.key.empty() && names_table(stem, joined_words(plan.info->name)))
                return &plan;
    return nullptr;
}

class Drafter {
public:
    Drafter(const db::Schema& schema, const SchemaEvidence& evidence, const DraftOptions& options)
        : schema_(schema), evidence_(evidence), options_(options) {}

    Draft run() {
        if (schema_.tables.empty()) throw Error(ExitStatus::failure, "the database has no tables: nothing to draft");
        for (const auto& info : schema_.tables) {
            TablePlan plan;
            plan.info = &info;
            plan.key = choose_key(info, plan.key_review);
            plans_.push_back(std::move(plan));
        }
        find_references();
        choose_subject();
        reach_tables();
        for (auto& plan : plans_) classify_columns(plan);
        // Parents first: a table without a timestamp of its own borrows its parent's.
        std::vector<TablePlan*> reached;
        for (auto& plan : plans_)
            if (plan.reached) reached.push_back(&plan);
        std::sort(reached.begin(), reached.end(), [](const TablePlan* a, const TablePlan* b) { return a->order < b->order; });
        for (auto* plan : reached) suggest_retention(*plan);
        Draft draft;
        draft.yaml = write();
        summary_.database_tables = schema_.tables.size();
        for (std::size_t at = draft.yaml.find("# REVIEW:"); at != std::string::npos;
             at = draft.yaml.find("# REVIEW:", at + 1))
            ++summary_.review_items;
        draft.summary = summary_;
        return draft;
    }

private:
    const db::Schema& schema_;
    const SchemaEvidence& evidence_;
    const DraftOptions& options_;
    std::vector<TablePlan> plans_;
    TablePlan* subject_ = nullptr;
    std::string email_column_;  ///< of the subject table; empty when it has none
    std::string phone_column_;
    std::string id_kind_;
    DraftSummary summary_;

    TablePlan* plan_of(const std::string& table) {
        for (auto& p : plans_)
            if (p.info->name == table) return &p;
        return nullptr;
    }

    const ValueEvidence& evidence(const TablePlan& plan, const std::string& column) const {
        return evidence_of(evidence_, plan.info->name, column);
    }

    static bool joinable(const db::TableInfo& a, const std::string& ac, const db::TableInfo& b, const std::string& bc) {
        const auto* x = a.find_column(ac);
        const auto* y = b.find_column(bc);
        return x && y && db::joinable(x->type_class, y->type_class);
    }

    /// Declared foreign keys first; then, for columns without one, what their names say.
    void find_references() {
        for (auto& plan : plans_) {
            std::set<std::string> covered;
            for (const auto& fk : plan.info->foreign_keys) {
                covered.insert(fk.from_column);
                const TablePlan* parent = plan_of(fk.to_table);
                if (!parent) continue;
                std::string to = fk.to_column.empty() ? parent->key : fk.to_column;
                if (to.empty() || !joinable(*plan.info, fk.from_column, *parent->info, to)) continue;
                plan.references.push_back({fk.from_column, fk.to_table, to, true});
            }
            for (const auto& column : plan.info->columns) {
                if (covered.count(column.name) || column.name == plan.key) continue;
                const TablePlan* parent = named_parent(column.name, plan, plans_);
                if (!parent || !joinable(*plan.info, column.name, *parent->info, parent->key)) continue;
                plan.references.push_back({column.name, parent->info->name, parent->key, false});
            }
        }
    }

    std::string identity_column(const TablePlan& plan, const std::string& kind) const {
        std::string found;
        for (const auto& c : plan.info->columns) {
            if (c.name.find('.') != std::string::npos) continue;  // TABLE.COLUMN could not name it
            if (identity_kind(c, evidence(plan, c.name)) != kind) continue;
            // An exact `email` beats `backup_email`.
            if (found.empty() || joined_words(c.name) == kind) found = c.name;
        }
        return found;
    }

    void choose_subject() {
        std::map<std::string, int> incoming;
        for (const auto& plan : plans_)
            for (const auto& ref : plan.references) ++incoming[ref.parent];
        int best = -1;
        for (auto& plan : plans_) {
            if (plan.key.empty()) continue;
            int score = std::min(incoming[plan.info->name], 5);
            auto words = identifier_words(plan.info->name);
            if (std::any_of(words.begin(), words.end(), is_subject_word)) score += 3;
            if (!identity_column(plan, "email").empty()) score += 3;
            if (!identity_column(plan, "phone").empty()) score += 1;
            if (score > best) {
                best = score;
                subject_ = &plan;
            }
        }
        if (!subject_)
            throw Error(ExitStatus::failure,
                        "no table has a primary key or a UNIQUE NOT NULL column to name its rows by: nothing to draft");
        summary_.subject_table = subject_->info->name;
        email_column_ = identity_column(*subject_, "email");
        phone_column_ = identity_column(*subject_, "phone");
        auto words = identifier_words(subject_->info->name);
        std::string last = words.empty() ? "subject" : words.back();
        if (last.size() > 3 && last.ends_with("ies"))
            last = last.substr(0, last.size() - 3) + "y";
        else if (last.size() > 1 && last.ends_with("s") && !last.ends_with("ss"))
            last.pop_back();
        id_kind_ = last + "_id";
        summary_.identities = 1 + !email_column_.empty() + !phone_column_.empty();
    }

    void reach_tables() {
        int order = 0;
        subject_->reached = true;
        subject_->order = order++;
        // Guest rows: a table holding an email is reached by the email alone.
        if (!email_column_.empty()) {
            for (auto& plan : plans_) {
                if (&plan == subject_ || plan.key.empty()) continue;
                for (const auto& c : plan.info->columns) {
                    if (c.name == plan.key || identity_kind(c, evidence(plan, c.name)) != "email") continue;
                    bool referencing = std::any_of(plan.references.begin(), plan.references.end(),
                                                   [&](const Reference& r) { return r.column == c.name; });
                    if (referencing || !joinable(*plan.info, c.name, *subject_->info, email_column_)) continue;
                    plan.links.push_back({c.name, "", "", "email",
                                          "rows found by email alone too (guest rows); drop it if every row has "
                                          "a reference to the subject",
                                          false});
                    if (!plan.reached) {
                        plan.reached = true;
                        plan.order = order++;
                    }
                }
            }
        }
        for (bool grew = true; grew;) {
            grew = false;
            for (auto& plan : plans_) {
                if (plan.reached || plan.key.empty()) continue;
                for (const auto& ref : plan.references) {
                    const TablePlan* parent = plan_of(ref.parent);
                    if (parent && parent->reached) {
                        plan.reached = true;
                        plan.order = order++;
                        grew = true;
                        break;
                    }
                }
            }
        }
        for (auto& plan : plans_) {
            if (!plan.reached) continue;
            for (const auto& ref : plan.references) {
                const TablePlan* parent = plan_of(ref.parent);
                if (!parent || !parent->reached) {
                    plan.non_personal.push_back(
                        {ref.column, "refers to " + ref.parent + ", which this draft does not list as personal"});
                } else if (parent->order >= plan.order) {
                    plan.non_personal.push_back(
                        {ref.column, "refers to " + ref.parent + ", but a link there would close a cycle of links"});
                } else {
                    std::string review = ref.declared ? "declared foreign key"
                                                      : "guessed from the column's name: the database declares no "
                                                        "foreign key here";
                    plan.links.push_back({ref.column, ref.parent, ref.parent_column, "", review, !ref.declared});
                }
            }
            auto references = std::count_if(plan.links.begin(), plan.links.end(),
                                             [](const Link& l) { return !l.parent.empty(); });
            if (references > 1)
                for (auto& link : plan.links)
                    if (!link.parent.empty())
                        link.review += "; one of " + std::to_string(references) +
                                       " links to other tables: keep the one that says whose row this is";
        }
    }

    /// The drafted tables whose columns refer to `plan`, comma-separated.
    std::string referring_tables(const TablePlan& plan) const {
        std::string out;
        for (const auto& other : plans_) {
            if (!other.reached) continue;
            bool refers = std::any_of(other.references.begin(), other.references.end(),
                                      [&](const Reference& r) { return r.parent == plan.info->name; });
            if (refers) out += (out.empty() ? "" : ", ") + other.info->name;
        }
        return out;
    }

    bool is_link_column(const TablePlan& plan, const std::string& column) const {
        return std::any_of(plan.links.begin(), plan.links.end(),
                           [&](const Link& l) { return l.column == column && !l.parent.empty(); });
    }

    void classify_columns(TablePlan& plan) {
        for (const auto& c : plan.info->columns) {
            if (c.name == plan.key || is_link_column(plan, c.name)) continue;
            bool noted = std::any_of(plan.non_personal.begin(), plan.non_personal.end(),
                                     [&](const Note& n) { return n.name == c.name; });
            bool referencing = std::any_of(plan.references.begin(), plan.references.end(),
                                           [&](const Reference& r) { return r.column == c.name; });
            if (noted || referencing) continue;
            auto guess = guess_column(plan.info->name, c, evidence(plan, c.name));
            if (guess.from_values || guess.from_name) plan.looks_personal = true;
            plan.columns.emplace_back(c.name, std::move(guess));
        }
    }

    static std::string keep_for(const TablePlan& plan) {
        auto theme = category_from_table(plan.info->name);
        if (!theme) return "3y";
        if (theme->category == "purchase_history" || theme->category == "payment") return "10y";
        if (theme->category == "online_identifier") return "90d";
        if (theme->category == "marketing_preferences") return "2y";
        return "3y";
    }

    void suggest_retention(TablePlan& plan) {
        // Prefer the time the row came to be (created_at, placed_at) over later ones (updated_at).
        auto is_event = [](const std::string& column) {
            static const std::set<std::string> event_words = {"created", "placed", "occurred", "started", "requested",
                                                              "paid", "shipped", "measured", "registered", "issued",
                                                              "sent", "opened", "submitted", "ordered"};
            auto words = identifier_words(column);
            return std::any_of(words.begin(), words.end(), [](const std::string& w) { return event_words.count(w) > 0; });
        };
        const std::pair<std::string, ColumnGuess>* chosen = nullptr;
        for (const auto& entry : plan.columns) {
            const auto* info = plan.info->find_column(entry.first);
            if (!info || !is_timestamp_column(*info, evidence(plan, entry.first))) continue;
            if (!chosen || (is_event(entry.first) && !is_event(chosen->first))) chosen = &entry;
        }
        if (chosen) {
            const auto& ev = evidence(plan, chosen->first);
            const auto* info = plan.info->find_column(chosen->first);
            // A native date/time column is compared as a time whatever its text looks like.
            bool native = info->type_class == db::TypeClass::timestamp;
            std::string format = native            ? "native"
                                 : ev.time_format ? std::string(to_string(*ev.time_format))
                                                  : "iso8601";
            std::string why = native            ? "a native date/time column"
                              : ev.time_format ? "format from the sampled values"
                                               : "format guessed from the name alone";
            plan.retention = Retention{chosen->first, format, keep_for(plan), why};
            return;
        }
        // Rows with no time of their own (order lines) can be kept as long as their parent.
        for (const auto& link : plan.links) {
            if (link.parent.empty()) continue;
            const TablePlan* parent = plan_of(link.parent);
            // Not the subject's: "keep a card three years after sign-up" is no rule.
            if (parent && parent != subject_ && parent->retention && parent->retention->column.find('.') == std::string::npos) {
                plan.retention = Retention{parent->info->name + "." + parent->retention->column, parent->retention->format,
                                           parent->retention->keep, "the parent's timestamp: this table has none"};
                return;
            }
        }
    }

    // --- writing -----------------------------------------------------------

    static std::string column_review(const ColumnGuess& g) {
        std::string text = g.category == unreviewed_category ? "no category: " + g.reason
                                                              : g.category + " " + g.reason;
        return text + "; source " + g.source + " (guessed)";
    }

    void write_table(std::ostringstream& out, TablePlan& plan, const std::string& prefix, bool drafted) {
        const auto& name = plan.info->name;
        out << prefix << yaml_scalar(name) << ":\n";
        std::string in = prefix + "  ";
        if (&plan == subject_)
            out << in << "# REVIEW: the subject table, one row per person: guessed from its name, its identity "
                         "columns and the tables that refer to it\n";
        out << in << "key: " << (plan.key.empty() ? std::string("REPLACE") : yaml_scalar(plan.key));
        if (!plan.key_review.empty()) out << "  # REVIEW: " << plan.key_review;
        if (plan.key.empty()) out << "  # REVIEW: no primary key: name a column that tells rows apart";
        out << "\n";
        if (!plan.links.empty()) {
            out << in << "links:\n";
            for (const auto& link : plan.links) {
                out << in << "  - {column: " << yaml_scalar(link.column) << ", ";
                if (link.parent.empty())
                    out << "identity: " << link.identity << "}";
                else
                    out << "references: " << yaml_scalar(link.parent + "." + link.parent_column) << "}";
                out << "  # REVIEW: " << link.review << "\n";
                if (drafted) {
                    ++summary_.links;
                    if (link.guessed) ++summary_.guessed_links;
                }
            }
        }
        if (!plan.non_personal.empty()) {
            out << in << "non_personal:\n";
            for (const auto& note : plan.non_personal)
                out << in << "  - " << yaml_scalar(note.name) << "  # REVIEW: " << note.review << "\n";
        }
        if (!plan.columns.empty()) {
            out << in << "columns:\n";
            for (const auto& [column, guess] : plan.columns) {
                out << in << "  " << yaml_scalar(column) << ": {category: " << guess.category
                    << ", source: " << guess.source << "}  # REVIEW: " << column_review(guess) << "\n";
                if (drafted) {
                    ++summary_.personal_columns;
                    if (guess.from_values) ++summary_.columns_from_values;
                    if (guess.category == unreviewed_category) ++summary_.unreviewed_columns;
                }
            }
        }
        out << in << "erasure:\n"
            << in << "  action: delete  # REVIEW: erasure deletes the person's rows; rows the law makes you keep "
                     "(invoices) need a hold and masks, see dsr-policy(5) Erasure\n";
        if (plan.retention) {
            const auto& r = *plan.retention;
            out << in << "# REVIEW: how long to keep these rows is your decision, so no rule is drafted. "
                         "A suggestion (" << r.why << "):\n"
                << in << "# retention:\n"
                << in << "#   column: " << yaml_scalar(r.column) << "\n"
                << in << "#   format: " << r.format << "\n"
                << in << "#   keep: " << r.keep << "  # the period the law or your business needs\n"
                << in << "#   action: delete\n";
        } else if (!plan.columns.empty()) {
            out << in << "# REVIEW: how long to keep these rows is your decision, so no rule is drafted; no "
                         "timestamp column was found to suggest one from (dsr-policy(5) Retention)\n";
        }
    }

    std::string write() {
        bool any_unreviewed = false;
        for (const auto& plan : plans_)
            for (const auto& [column, guess] : plan.columns)
                if (plan.reached && guess.category == unreviewed_category) any_unreviewed = true;

        std::ostringstream out;
        out << "# A DRAFT policy, written by `dsr policy init` from the live schema of a database and a\n"
               "# sample of its values (no value is copied here). Each guess carries a REVIEW comment:\n"
               "# check it, correct or confirm it, then delete the comment. Then fill in the purposes,\n"
               "# decide retention, and run `dsr policy check --policy THIS_FILE --strict`.\n"
               "# Every key is described in dsr-policy(5).\n"
               "version: 1\n\n";
        out << "controller:\n"
               "  name: \"REPLACE: the controller's legal name\"  # REVIEW: who is responsible for the data\n"
               "  contact: \"REPLACE: privacy contact\"  # REVIEW: where people send their requests\n\n";
        out << "regime: gdpr  # REVIEW: the law requests are answered under: gdpr, ccpa or pipl\n\n";
        out << "databases:\n  main:\n    url: " << yaml_scalar(options_.database_url);
        if (!options_.database_url_review.empty()) out << "  # REVIEW: " << options_.database_url_review;
        out << "\n\n";

        out << "identities:\n";
        if (!email_column_.empty())
            out << "  email:  # REVIEW: " << subject_->info->name << "." << email_column_ << " holds email addresses\n"
                << "    column: " << yaml_scalar(subject_->info->name + "." + email_column_) << "\n"
                << "    normalize: email\n";
        out << "  " << id_kind_ << ":  # REVIEW: the subject table's key\n"
            << "    column: " << yaml_scalar(subject_->info->name + "." + subject_->key) << "\n";
        if (!phone_column_.empty())
            out << "  phone:  # REVIEW: " << subject_->info->name << "." << phone_column_ << " holds phone numbers\n"
                << "    column: " << yaml_scalar(subject_->info->name + "." + phone_column_) << "\n"
                << "    normalize: phone\n";
        out << "\n";

        if (any_unreviewed)
            out << "categories:\n"
                   "  unreviewed:  # REVIEW: a placeholder: give each column in it a real category, then delete it\n"
                   "    description: A column the draft found nothing to classify by; not yet reviewed.\n\n";

        out << "# REVIEW: no purposes are drafted: only you know why you keep the data. Declare each with its\n"
               "# lawful basis, and list them on the columns they use; for example:\n"
               "#   account:\n"
               "#     basis: contract\n"
               "#     description: Keeping the customer's account so they can sign in and see their orders.\n"
               "purposes: {}\n\n";

        out << "tables:\n";
        for (auto& plan : plans_) {
            if (!plan.reached) continue;
            write_table(out, plan, "  ", true);
            ++summary_.drafted_tables;
        }
        std::vector<std::pair<TablePlan*, std::string>> non_personal;
        for (auto& plan : plans_) {
            if (plan.reached) continue;
            bool links_to_reached = std::any_of(plan.references.begin(), plan.references.end(), [&](const Reference& r) {
                const TablePlan* parent = plan_of(r.parent);
                return parent && parent->reached;
            });
            bool values_personal = std::any_of(plan.columns.begin(), plan.columns.end(),
                                               [](const auto& c) { return c.second.from_values; });
            std::string referrers = referring_tables(plan);
            // Rows that people's rows point to, but that point to no one, are shared
            // (a product catalogue): a `name` there names a thing, not a person.
            if (!links_to_reached && !values_personal && (!plan.looks_personal || !referrers.empty())) {
                std::string review = referrers.empty()
                                         ? "no link to a subject, and no column whose name or values look personal"
                                         : "referred to by " + referrers +
                                               " but linked to no subject: shared data such as a catalogue";
                if (plan.looks_personal) review += "; some column names look personal: check them";
                non_personal.emplace_back(&plan, review);
                continue;
            }
            std::ostringstream block;
            write_table(block, plan, "", false);
            out << "  # REVIEW: " << plan.info->name << " looks personal, but "
                << (plan.key.empty() ? "it has no key to name its rows by" : "no link to a subject was found")
                << ": add what is missing (dsr-policy(5) Links) and uncomment it\n";
            std::istringstream lines(block.str());
            for (std::string line; std::getline(lines, line);) out << "  # " << line << "\n";
            ++summary_.unlinked_tables;
        }
        if (!non_personal.empty()) {
            out << "\nnon_personal_tables:\n";
            for (const auto& [plan, review] : non_personal) {
                out << "  - " << yaml_scalar(plan->info->name) << "  # REVIEW: " << review << "\n";
                ++summary_.non_personal_tables;
            }
        }
        return out.str();
    }
};

}  // namespace

std::string yaml_scalar(std::string_view name) {
    static const std::set<std::string> reserved = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"};
    bool plain = !name.empty() && (std::isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_');
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/')) plain = false;
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (plain && !reserved.count(lower)) return std::string(name);
    std::string out = "\"";
    for (char c : name) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    static const char hex[] = "0123456789abcdef";
                    out += "\\x";
                    out += hex[(c >> 4) & 0xf];
                    out += hex[c & 0xf];
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

Draft draft_policy(const db::Schema& schema, const SchemaEvidence& evidence, const DraftOptions& options) {
    return Drafter(schema, evidence, options).run();
}

}  // namespace dsr::policy_init
