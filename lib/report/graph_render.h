#pragma once

#include <string>

#include "policy/model.h"

namespace dsr::report {

/// An indented tree: each identity, then each table under the link that reaches it.
std::string link_graph_text(const policy::Policy& policy);
/// The same links as Graphviz DOT: identities as ellipses, tables as boxes, an edge per link.
std::string link_graph_dot(const policy::Policy& policy);

}  // namespace dsr::report
