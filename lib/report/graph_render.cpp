#include "report/graph_render.h"

#include "graph/link_tree.h"

namespace dsr::report {

namespace {

void render_node(const graph::LinkTreeNode& node, int depth, std::string& out) {
    out += std::string(static_cast<std::size_t>(depth) * 2, ' ') + node.table->name;
    if (node.via && node.via->is_foreign_key())
        out += "  (" + node.table->name + "." + node.via->column + " -> " + node.via->parent_table + "." +
               node.via->parent_column + ")";
    else if (node.via)
        out += "  (by identity " + node.via->identity + " in " + node.table->name + "." + node.via->column + ")";
    else
        out += "  (subject table)";
    out += "\n";
    for (const auto& child : node.children) render_node(child, depth + 1, out);
}

/// DOT identifiers are quoted so any table name is safe.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string link_graph_text(const policy::Policy& policy) {
    std::string out = "identities:\n";
    for (const auto& id : policy.identities) out += "  " + id.kind + " -> " + id.table + "." + id.column + "\n";
    out += "tables reached from a subject:\n";
    for (const auto& root : graph::build_link_tree(policy)) render_node(root, 1, out);
    return out;
}

std::string link_graph_dot(const policy::Policy& policy) {
    std::string out = "digraph dsr_links {\n  rankdir=LR;\n  node [shape=box];\n";
    for (const auto& id : policy.identities) {
        out += "  " + quoted("identity:" + id.kind) + " [shape=ellipse, label=" + quoted(id.kind) + "];\n";
        out += "  " + quoted("identity:" + id.kind) + " -> " + quoted(id.table) + " [label=" + quoted(id.column) + "];\n";
    }
    for (const auto& table : policy.tables) {
        out += "  " + quoted(table.name) + ";\n";
        for (const auto& link : table.links) {
            if (link.is_foreign_key())
                out += "  " + quoted(link.parent_table) + " -> " + quoted(table.name) + " [label=" +
                       quoted(link.column + " -> " + link.parent_column) + "];\n";
            else
                out += "  " + quoted("identity:" + link.identity) + " -> " + quoted(table.name) + " [label=" +
                       quoted(link.column) + ", style=dashed];\n";
        }
    }
    return out + "}\n";
}

}  // namespace dsr::report
