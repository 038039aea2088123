//! Section 2: the hierarchy. `[[node]]`s and one leaf per indicator under
//! the root, their weights, and the nominal points each gets; and the
//! walks over the checked tree that every later stage uses.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::Scheme;
use super::context::{At, Validator};
use crate::diag::{Diagnostic, S, list, suggest};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNode {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub parent: Option<S<String>>,
    pub weight: S<f64>,
    pub aggregation: Option<S<String>>,
    /// Data-driven weights of this node's children: "entropy" or "critic".
    pub weights: Option<S<String>>,
    pub description: Option<S<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Arithmetic,
    Geometric,
    /// Closeness to the ideal among the peer group (TOPSIS).
    Topsis,
}

/// Children's weights derived from the peer group's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightMethod {
    Entropy,
    Critic,
}

pub(super) const AGGREGATIONS: &[(&str, Aggregation)] = &[
    ("arithmetic", Aggregation::Arithmetic),
    ("geometric", Aggregation::Geometric),
    ("topsis", Aggregation::Topsis),
];
pub(super) const WEIGHTS: &[(&str, Option<WeightMethod>)] = &[
    ("entropy", Some(WeightMethod::Entropy)),
    ("critic", Some(WeightMethod::Critic)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Root,
    Node,
    /// Index into [`Scheme::indicators`].
    Indicator(usize),
}

/// One entry of the hierarchy; entry 0 is the root.
#[derive(Debug, Clone)]
pub struct TreeNode {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
    pub parent: Option<usize>,
    pub weight: f64,
    /// Nominal points from the full tree (docs/scheme.md section 2).
    pub points: f64,
    pub aggregation: Aggregation,
    /// Derive the children's weights from the data instead of `weight`.
    pub weights: Option<WeightMethod>,
    pub children: Vec<usize>,
}

impl Scheme {
    /// The tree depth-first in written order: (depth, node), the root
    /// excluded (its children have depth 1).
    pub fn walk(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut stack: Vec<(usize, usize)> = self.tree[0]
            .children
            .iter()
            .rev()
            .map(|&c| (1, c))
            .collect();
        while let Some((d, n)) = stack.pop() {
            out.push((d, n));
            stack.extend(self.tree[n].children.iter().rev().map(|&c| (d + 1, c)));
        }
        out
    }

    /// Tree nodes in an order where every child comes before its parent.
    pub fn post_order(&self) -> Vec<usize> {
        let mut order = vec![0];
        let mut k = 0;
        while k < order.len() {
            order.extend(self.tree[order[k]].children.iter().copied());
            k += 1;
        }
        order.reverse();
        order
    }

    /// The indicators under node `n` (or `n` itself), in written order.
    pub fn leaves_under(&self, n: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            if let NodeKind::Indicator(i) = self.tree[x].kind {
                out.push(i);
            }
            stack.extend(self.tree[x].children.iter().rev().copied());
        }
        out
    }

    /// The depth of every tree node (the root 0).
    pub fn depths(&self) -> Vec<usize> {
        let mut d = vec![0; self.tree.len()];
        for (depth, n) in self.walk() {
            d[n] = depth;
        }
        d
    }
}

/// What the tree needs of an indicator: where it hangs and its weight.
pub(super) struct LeafSpec<'a> {
    pub file: usize,
    pub id: &'a S<String>,
    pub name: &'a Option<S<String>>,
    pub parent: &'a Option<S<String>>,
    pub weight: &'a S<f64>,
}

/// Build the hierarchy: root, [[node]]s, then one leaf per indicator;
/// also the tree index of each indicator's leaf.
pub(super) fn build(
    v: &mut Validator,
    nodes: &[At<S<RawNode>>],
    indicators: &[LeafSpec],
    default_agg: Option<Aggregation>,
    root_weights: Option<WeightMethod>,
) -> (Option<Vec<TreeNode>>, Vec<usize>) {
    let n0 = v.diags.len();
    let default_agg = default_agg.unwrap_or(Aggregation::Arithmetic);
    let mut tree = vec![TreeNode {
        id: "total".into(),
        name: "总分".into(),
        kind: NodeKind::Root,
        parent: None,
        weight: 1.0,
        points: 0.0,
        aggregation: default_agg,
        weights: root_weights,
        children: Vec::new(),
    }];
    let index = add_nodes(v, &mut tree, nodes, default_agg);
    let node_ids: Vec<&str> = nodes
        .iter()
        .map(|(_, n)| n.get_ref().id.get_ref().as_str())
        .collect();
    let resolve = |v: &mut Validator, f: usize, parent: &Option<S<String>>, what: &str| {
        let Some(p) = parent else { return 0 };
        if let Some(&i) = index.get(p.get_ref()) {
            return i;
        }
        let d = v.err(
            f,
            p.span().start,
            format!("{what}: parent {:?} is not a [[node]] id", p.get_ref()),
        );
        d.hint = Some(match suggest(p.get_ref(), node_ids.iter().copied()) {
            Some(s) => format!("did you mean {s:?}?"),
            None => format!("nodes: {}", list(&node_ids, 12)),
        });
        0
    };
    for (k, (f, n)) in nodes.iter().enumerate() {
        let what = format!("node {:?}", n.get_ref().id.get_ref());
        tree[k + 1].parent = Some(resolve(v, *f, &n.get_ref().parent, &what));
    }
    cycles(v, &tree, nodes);
    let mut leaves = Vec::new();
    for r in indicators {
        weight(v, r.file, r.weight);
        let what = format!("indicator {:?}", r.id.get_ref());
        let parent = resolve(v, r.file, r.parent, &what);
        leaves.push(tree.len());
        tree.push(TreeNode {
            id: r.id.get_ref().clone(),
            name: r
                .name
                .as_ref()
                .map_or_else(|| r.id.get_ref().clone(), |x| x.get_ref().clone()),
            kind: NodeKind::Indicator(usize::MAX),
            parent: Some(parent),
            weight: *r.weight.get_ref(),
            points: 0.0,
            aggregation: default_agg,
            weights: None,
            children: Vec::new(),
        });
    }
    if v.diags.len() > n0 {
        return (None, leaves);
    }
    link(v, &mut tree, nodes);
    ((v.diags.len() == n0).then_some(tree), leaves)
}

/// The [[node]] entries after the root; the index of each id.
fn add_nodes(
    v: &mut Validator,
    tree: &mut Vec<TreeNode>,
    nodes: &[At<S<RawNode>>],
    default_agg: Aggregation,
) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    for (f, n) in nodes {
        let n = n.get_ref();
        let aggregation = v.choice(*f, &n.aggregation, AGGREGATIONS, default_agg);
        let weights = v.choice(*f, &n.weights, WEIGHTS, None);
        weight(v, *f, &n.weight);
        index.entry(n.id.get_ref().clone()).or_insert(tree.len());
        tree.push(TreeNode {
            id: n.id.get_ref().clone(),
            name: n
                .name
                .as_ref()
                .map_or_else(|| n.id.get_ref().clone(), |x| x.get_ref().clone()),
            kind: NodeKind::Node,
            parent: None,
            weight: *n.weight.get_ref(),
            points: 0.0,
            aggregation,
            weights,
            children: Vec::new(),
        });
    }
    index
}

/// Walk up from every node: more steps than nodes means a loop.
fn cycles(v: &mut Validator, tree: &[TreeNode], nodes: &[At<S<RawNode>>]) {
    for (k, (f, n)) in nodes.iter().enumerate() {
        let mut at = k + 1;
        let mut steps = 0;
        while let Some(p) = tree[at].parent {
            at = p;
            steps += 1;
            if steps > tree.len() {
                v.err(
                    *f,
                    n.span().start,
                    format!("node {:?} is its own ancestor", n.get_ref().id.get_ref()),
                );
                break;
            }
        }
    }
}

/// Children lists; a node without children, and a tree without
/// indicators, are errors.
fn link(v: &mut Validator, tree: &mut [TreeNode], nodes: &[At<S<RawNode>>]) {
    for i in 1..tree.len() {
        let p = tree[i].parent.unwrap();
        tree[p].children.push(i);
    }
    for (k, (f, n)) in nodes.iter().enumerate() {
        if tree[k + 1].children.is_empty() {
            v.err(
                *f,
                n.span().start,
                format!("node {:?} has no children", n.get_ref().id.get_ref()),
            )
            .hint("give it indicators (parent = this id) or remove it");
        }
    }
    if tree[0].children.is_empty() {
        v.diags.push(Diagnostic::file(
            &v.sources[0].path,
            "the scheme has no indicators",
        ));
    }
}

pub(super) fn weight(v: &mut Validator, f: usize, w: &S<f64>) {
    if !(w.get_ref().is_finite() && *w.get_ref() > 0.0) {
        v.err(
            f,
            w.span().start,
            format!("weight must be a positive number, found {}", w.get_ref()),
        );
    }
}

/// Nominal points: parent's points × weight / Σ sibling weights.
pub(super) fn assign_points(tree: &mut [TreeNode], root_points: f64) {
    tree[0].points = root_points;
    // Parents precede children except indicators, which are last; a
    // breadth-first walk from the root handles any order.
    let mut queue = vec![0];
    while let Some(i) = queue.pop() {
        let total: f64 = tree[i].children.iter().map(|&c| tree[c].weight).sum();
        let children = tree[i].children.clone();
        for c in children {
            tree[c].points = tree[i].points * tree[c].weight / total;
            queue.push(c);
        }
    }
}
