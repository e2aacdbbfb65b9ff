//! Taint analysis for fnwarden scan: attacker-controlled event data to dangerous sinks, over tree-sitter trees
