#pragma once
// How each table of a policy is reached from the subject's identities: the
// shape `dsr policy graph` draws and that subject lookups walk.

#include <vector>

#include "policy/model.h"

namespace dsr::graph {

struct LinkTreeNode {
    const policy::Table* table = nullptr;
    const policy::Link* via = nullptr;  ///< the link from the parent node; null at a root
    std::vector<LinkTreeNode> children;
};

/// One tree per entry point: each table the identities name (the subject's
/// own rows), then each table with an identity link (rows found by an
/// identity alone, such as guest orders). A table reached several ways
/// appears under each of them. Requires a policy without link cycles.
std::vector<LinkTreeNode> build_link_tree(const policy::Policy& policy);

}  // namespace dsr::graph
