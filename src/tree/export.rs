//! Exports of a fitted tree: indented text rules and Graphviz dot.

use std::fmt::Write as _;

use super::learner::Tree;

/// A feature or class name as the exports print it: control characters (a newline, a
/// terminal escape sequence in a column name) escaped so that every rule stays on its line and
/// nothing reaches a terminal raw; at most 200 characters.
fn printable(name: &str) -> String {
    crate::data::shown_up_to(name, 200)
}

/// The two rules of node `id`'s split as the exports print them: `(left, right)`.
fn rules(tree: &Tree, id: usize, name: &str) -> (String, String) {
    let Some(s) = tree.split(id) else {
        return (String::new(), String::new());
    };
    match tree.split_categories(id) {
        Some(categories) => {
            let shown: Vec<String> = categories.iter().map(|c| c.to_string()).collect();
            let set = format!("{{{}}}", shown.join(", "));
            (format!("{name} in {set}"), format!("{name} not in {set}"))
        }
        None => (
            format!("{name} <= {:.4}", s.threshold),
            format!("{name} >  {:.4}", s.threshold),
        ),
    }
}

fn leaf_label(value: &[f64], classes: &[String]) -> String {
    if classes.is_empty() {
        format!("value: {:.4}", value.first().copied().unwrap_or(0.0))
    } else {
        let best = super::decision_tree::argmax(value);
        format!(
            "class: {} (p = {:.2})",
            classes.get(best).map_or("?".to_string(), |c| printable(c)),
            value[best]
        )
    }
}

/// Text rules in the style of scikit-learn's `export_text`.
pub fn text(tree: &Tree, features: &[String], classes: &[String]) -> String {
    let mut out = String::new();
    let mut stack = vec![(0usize, 0usize, None::<String>)];
    while let Some((id, indent, rule)) = stack.pop() {
        let pad = "|   ".repeat(indent);
        if let Some(rule) = rule {
            let _ = writeln!(out, "{pad}|--- {rule}");
        }
        let node = tree.node(id);
        match &node.split {
            None => {
                let _ = writeln!(out, "{pad}|   |--- {}", leaf_label(node.value, classes));
            }
            Some(s) => {
                let name = features
                    .get(s.feature)
                    .map_or("?".to_string(), |f| printable(f));
                let (left, right) = rules(tree, id, &name);
                stack.push((s.right, indent + 1, Some(right)));
                stack.push((s.left, indent + 1, Some(left)));
            }
        }
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Graphviz dot source (`dot -Tpng tree.dot -o tree.png`).
pub fn dot(tree: &Tree, features: &[String], classes: &[String]) -> String {
    let mut out = String::from(
        "digraph Tree {\nnode [shape=box, style=\"rounded\", fontname=\"sans-serif\"];\n",
    );
    for (id, node) in tree.nodes().into_iter().enumerate() {
        let label = match &node.split {
            Some(s) => {
                let name = features
                    .get(s.feature)
                    .map_or("?".to_string(), |f| printable(f));
                format!(
                    "{}\\nimpurity = {:.3}\\nsamples = {}",
                    escape(&rules(tree, id, &name).0),
                    node.impurity,
                    node.n_samples
                )
            }
            None => format!(
                "{}\\nimpurity = {:.3}\\nsamples = {}",
                escape(&leaf_label(node.value, classes)),
                node.impurity,
                node.n_samples
            ),
        };
        let _ = writeln!(out, "{id} [label=\"{label}\"];");
        if let Some(s) = &node.split {
            let _ = writeln!(out, "{id} -> {} [label=\"yes\"];", s.left);
            let _ = writeln!(out, "{id} -> {} [label=\"no\"];", s.right);
        }
    }
    out.push_str("}\n");
    out
}
