// purge_order.cpp — children-before-parents order of the foreign key graph
// (see purge_order.hpp): strongly connected components (Tarjan), then a
// topological order of the components, ties broken by input position.
#include "purge_order.hpp"

#include <algorithm>
#include <queue>
#include <unordered_map>

#include "error.hpp"

namespace softdelete::core {

namespace {

// Iterative Tarjan: component id of every node (ids in reverse topological
// order of the "child -> parent" edges, which we do not rely on).
std::vector<std::size_t> Components(const std::vector<std::vector<std::size_t>> &out,
                                    std::size_t *count) {
    const std::size_t n = out.size();
    const std::size_t kNone = static_cast<std::size_t>(-1);
    std::vector<std::size_t> index(n, kNone), low(n, 0), comp(n, kNone);
    std::vector<bool> on_stack(n, false);
    std::vector<std::size_t> stack;
    std::size_t next_index = 0;
    *count = 0;
    // Explicit DFS stack of (node, next edge position): no recursion depth limit.
    std::vector<std::pair<std::size_t, std::size_t>> dfs;
    for (std::size_t root = 0; root < n; ++root) {
        if (index[root] != kNone) continue;
        dfs.emplace_back(root, 0);
        index[root] = low[root] = next_index++;
        stack.push_back(root);
        on_stack[root] = true;
        while (!dfs.empty()) {
            std::size_t v = dfs.back().first;
            std::size_t &pos = dfs.back().second;
            if (pos < out[v].size()) {
                std::size_t w = out[v][pos++];
                if (index[w] == kNone) {
                    index[w] = low[w] = next_index++;
                    stack.push_back(w);
                    on_stack[w] = true;
                    dfs.emplace_back(w, 0);
                } else if (on_stack[w]) {
                    low[v] = std::min(low[v], index[w]);
                }
                continue;
            }
            if (low[v] == index[v]) {
                std::size_t w;
                do {
                    w = stack.back();
                    stack.pop_back();
                    on_stack[w] = false;
                    comp[w] = *count;
                } while (w != v);
                ++*count;
            }
            dfs.pop_back();
            if (!dfs.empty()) {
                std::size_t parent = dfs.back().first;
                low[parent] = std::min(low[parent], low[v]);
            }
        }
    }
    return comp;
}

}  // namespace

std::vector<PurgeGroup> PurgeOrder(const std::vector<std::uint32_t> &tables,
                                   const std::vector<ForeignKeyEdge> &edges) {
    // Nodes: the listed tables (first occurrence), then unlisted edge endpoints.
    std::vector<std::uint32_t> nodes;
    std::unordered_map<std::uint32_t, std::size_t> position;
    nodes.reserve(tables.size());
    position.reserve(tables.size());
    auto at = [&](std::uint32_t id) {
        auto it = position.emplace(id, nodes.size());
        if (it.second) nodes.push_back(id);
        return it.first->second;
    };
    for (std::uint32_t id : tables) at(id);
    for (const ForeignKeyEdge &e : edges) {
        at(e.child);
        at(e.parent);
    }
    const std::size_t n = nodes.size();
    // out[child] = parents (self-references dropped: they never order anything).
    std::vector<std::vector<std::size_t>> out(n);
    for (const ForeignKeyEdge &e : edges) {
        std::size_t c = at(e.child);
        std::size_t p = at(e.parent);
        if (c != p) out[c].push_back(p);
    }
    std::size_t ncomp = 0;
    std::vector<std::size_t> comp = Components(out, &ncomp);

    // Members of each component (in input order) and the smallest position in it.
    std::vector<std::vector<std::size_t>> members(ncomp);
    for (std::size_t i = 0; i < n; ++i) members[comp[i]].push_back(i);
    // Condensed graph: component of a child -> component of its parent.  A
    // parent component becomes ready once all its child components are done.
    std::vector<std::vector<std::size_t>> parents(ncomp);
    std::vector<std::size_t> pending_children(ncomp, 0);
    for (std::size_t c = 0; c < n; ++c) {
        for (std::size_t p : out[c]) {
            std::size_t cc = comp[c], pc = comp[p];
            if (cc == pc) continue;
            parents[cc].push_back(pc);
        }
    }
    for (auto &ps : parents) {
        std::sort(ps.begin(), ps.end());
        ps.erase(std::unique(ps.begin(), ps.end()), ps.end());
        for (std::size_t pc : ps) ++pending_children[pc];
    }
    // Ready components, smallest first input position first.
    auto later = [&](std::size_t a, std::size_t b) { return members[a][0] > members[b][0]; };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> ready(later);
    for (std::size_t k = 0; k < ncomp; ++k)
        if (pending_children[k] == 0) ready.push(k);
    std::vector<PurgeGroup> result;
    result.reserve(ncomp);
    while (!ready.empty()) {
        std::size_t k = ready.top();
        ready.pop();
        PurgeGroup group;
        for (std::size_t i : members[k]) group.tables.push_back(nodes[i]);
        group.cyclic = members[k].size() > 1;
        result.push_back(std::move(group));
        for (std::size_t pc : parents[k])
            if (--pending_children[pc] == 0) ready.push(pc);
    }
    if (result.size() != ncomp) throw Error("XX000", "foreign key graph ordering failed");
    return result;
}

}  // namespace softdelete::core

#ifdef POSTGRES_H
#error "src/core must not include PostgreSQL headers"
#endif
