#include "graph/link_tree.h"

namespace dsr::graph {

namespace {

void add_children(const policy::Policy& policy, LinkTreeNode& node) {
    for (const auto& table : policy.tables) {
        for (const auto& link : table.links) {
            if (link.is_foreign_key() && link.parent_table == node.table->name) {
                LinkTreeNode child{&table, &link, {}};
                add_children(policy, child);
                node.children.push_back(std::move(child));
            }
        }
    }
}

}  // namespace

std::vector<LinkTreeNode> build_link_tree(const policy::Policy& policy) {
    std::vector<LinkTreeNode> roots;
    for (const auto& table : policy.tables) {
        if (!table.root) continue;
        LinkTreeNode node{&table, nullptr, {}};
        add_children(policy, node);
        roots.push_back(std::move(node));
    }
    for (const auto& table : policy.tables) {
        for (const auto& link : table.links) {
            if (link.is_foreign_key()) continue;
            LinkTreeNode node{&table, &link, {}};
            add_children(policy, node);
            roots.push_back(std::move(node));
        }
    }
    return roots;
}

}  // namespace dsr::graph
