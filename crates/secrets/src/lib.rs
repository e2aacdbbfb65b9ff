//! Secrets detection for fnwarden scan: provider patterns and keyword plus entropy, in one pass per file
