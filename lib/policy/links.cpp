#include "policy/links.h"

#include <algorithm>
#include <map>
#include <set>

namespace dsr::policy {

std::vector<LinkCycle> find_link_cycles(const Policy& policy) {
    enum class Mark { unvisited, on_path, done };
    std::map<std::string, Mark> mark;
    std::vector<std::string> path;
    std::vector<LinkCycle> cycles;

    auto visit = [&](auto&& self, const Table& table) -> void {
        mark[table.name] = Mark::on_path;
        path.push_back(table.name);
        for (const auto& link : table.links) {
            if (!link.is_foreign_key()) continue;
            const Table* parent = policy.find_table(link.parent_table);
            if (!parent) continue;
            auto state = mark[parent->name];
            if (state == Mark::on_path) {
                auto start = std::find(path.begin(), path.end(), parent->name);
                std::string text;
                for (auto it = start; it != path.end(); ++it) text += *it + " -> ";
                cycles.push_back({link.where, text + parent->name});
            } else if (state == Mark::unvisited) {
                self(self, *parent);
            }
        }
        path.pop_back();
        mark[table.name] = Mark::done;
    };
    for (const auto& table : policy.tables)
        if (mark[table.name] == Mark::unvisited) visit(visit, table);
    return cycles;
}

std::vector<const Table*> unreachable_tables(const Policy& policy) {
    std::set<std::string> reachable;
    for (const auto& table : policy.tables) {
        bool identity_linked = std::any_of(table.links.begin(), table.links.end(),
                                           [](const Link& l) { return !l.is_foreign_key(); });
        if (table.root || identity_linked) reachable.insert(table.name);
    }
    // Grow the set until no table gains a linked parent; at most one pass per table.
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& table : policy.tables) {
            if (reachable.count(table.name)) continue;
            for (const auto& link : table.links) {
                if (link.is_foreign_key() && reachable.count(link.parent_table)) {
                    reachable.insert(table.name);
                    grew = true;
                    break;
                }
            }
        }
    }
    std::vector<const Table*> out;
    for (const auto& table : policy.tables)
        if (!reachable.count(table.name)) out.push_back(&table);
    return out;
}

}  // namespace dsr::policy
